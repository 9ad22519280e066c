/* A stand-in for the one kernel32.dll function the collection's C# helper imports: WTSGetActiveConsoleSessionId
 * (Microsoft's Win32 reference: "the session identifier of the session that is attached to the physical console;
 * if there is no session attached to the physical console, (for example, if the physical console session is in
 * the process of being attached or detached), this function returns 0xFFFFFFFF"). It asks the emulated host
 * over the channel (channel.h). */
#include "channel.h"

DWORD WTSGetActiveConsoleSessionId(void)
{
    line_t request = {0}, answer = {0};
    DWORD result = 0xFFFFFFFFu;
    if (line_add(&request, "console") && channel_call(&request, &answer, 0) == 0)
        result = (DWORD)strtoul(answer.data + 2, NULL, 10);
    free(request.data);
    free(answer.data);
    return result;
}
