/* A stand-in for wtsapi32.dll: the functions the collection's C# helper imports, with the Windows x64
 * signatures and structure layouts of wtsapi32.h (Microsoft's Win32 reference: WTSOpenServerW, WTSCloseServer,
 * WTSEnumerateSessionsExW, WTSFreeMemoryExW, WTSQuerySessionInformationW, WTSFreeMemory, WTSLogoffSession,
 * WTSDisconnectSession, WTSSendMessageW; WTS_SESSION_INFO_1W, WTSINFOW, WTS_TYPE_CLASS, WTS_INFO_CLASS).
 *
 * Built as a shared object named "wtsapi32.dll" and found through LD_LIBRARY_PATH, it is what
 * DllImport("wtsapi32.dll") loads when the helper runs in PowerShell on Linux, so every call goes through the
 * real P/Invoke marshalling. It keeps no Windows state: each call asks the emulated host over the channel
 * (channel.h) and lays the answer out as Windows does. Memory the functions return is counted, so a test can
 * see that the caller freed it (winrds_outstanding_allocations).
 */
#include "channel.h"

#define WINSTATIONNAME_LENGTH 32
#define DOMAIN_LENGTH 17
#define USERNAME_LENGTH 20

typedef struct {
    DWORD ExecEnvId;
    DWORD State; /* WTS_CONNECTSTATE_CLASS */
    DWORD SessionId;
    WCHAR *pSessionName;
    WCHAR *pHostName;
    WCHAR *pUserName;
    WCHAR *pDomainName;
    WCHAR *pFarmName;
} WTS_SESSION_INFO_1W;

typedef struct {
    DWORD State;
    DWORD SessionId;
    DWORD IncomingBytes;
    DWORD OutgoingBytes;
    DWORD IncomingFrames;
    DWORD OutgoingFrames;
    DWORD IncomingCompressedBytes;
    DWORD OutgoingCompressedBytes;
    WCHAR WinStationName[WINSTATIONNAME_LENGTH];
    WCHAR Domain[DOMAIN_LENGTH];
    WCHAR UserName[USERNAME_LENGTH + 1];
    int64_t ConnectTime; /* LARGE_INTEGER, FILETIME ticks */
    int64_t DisconnectTime;
    int64_t LastInputTime;
    int64_t LogonTime;
    int64_t CurrentTime;
} WTSINFOW;

_Static_assert(sizeof(WTS_SESSION_INFO_1W) == 56, "WTS_SESSION_INFO_1W is 56 bytes on x64");
_Static_assert(sizeof(WTSINFOW) == 216, "WTSINFOW is 216 bytes on x64");

#define WTS_TYPE_SESSION_INFO_LEVEL1 2 /* WTSTypeSessionInfoLevel1 */
#define WTS_SESSION_INFO_CLASS 24      /* WTSSessionInfo */

/* A server handle from WTSOpenServerW: the emulated host's number for the server it opened. */
typedef struct {
    uint32_t magic;
    unsigned long id;
} server_t;

#define SERVER_MAGIC 0x57545331u

static long outstanding;

static void *counted_alloc(size_t size)
{
    void *memory = calloc(1, size);
    if (memory)
        __atomic_add_fetch(&outstanding, 1, __ATOMIC_SEQ_CST);
    return memory;
}

static void counted_free(void *memory)
{
    if (!memory)
        return;
    __atomic_sub_fetch(&outstanding, 1, __ATOMIC_SEQ_CST);
    free(memory);
}

/* Test hooks (not part of wtsapi32): sizes as laid out here, and memory not yet given back. */
long winrds_outstanding_allocations(void) { return __atomic_load_n(&outstanding, __ATOMIC_SEQ_CST); }
int winrds_sizeof_wtsinfo(void) { return (int)sizeof(WTSINFOW); }
int winrds_sizeof_session_info_1(void) { return (int)sizeof(WTS_SESSION_INFO_1W); }

/* The " <server>" word of a request: 0 for WTS_CURRENT_SERVER_HANDLE (NULL); 0 with *bad set when the
 * handle is not one this library returned (or was closed). */
static int add_server(line_t *request, HANDLE server, int *bad)
{
    *bad = 0;
    if (!server)
        return line_add_number(request, 0);
    server_t *opened = server;
    if (opened->magic != SERVER_MAGIC) {
        *bad = 1;
        return 1;
    }
    return line_add_number(request, opened->id);
}

static BOOL fail(DWORD code, line_t *request, line_t *answer)
{
    free(request->data);
    free(answer->data);
    errno = (int)code;
    return 0;
}

HANDLE WTSOpenServerW(WCHAR *pServerName)
{
    line_t request = {0}, answer = {0};
    if (!line_add(&request, "open") || !line_add_wide(&request, pServerName, wide_length(pServerName))) {
        fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
        return NULL;
    }
    DWORD code = channel_call(&request, &answer, 0);
    if (code) {
        /* "If the function fails, it returns a handle that is not valid": the emulated host chooses NULL or
         * a handle whose calls fail (its wts_open_server_failure setting). */
        fail(code, &request, &answer);
        return NULL;
    }
    words_t words;
    split_words(answer.data, &words);
    server_t *opened = malloc(sizeof *opened);
    if (words.count < 2 || !opened) {
        free(opened);
        fail(words.count < 2 ? RPC_S_CALL_FAILED : ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
        return NULL;
    }
    opened->magic = SERVER_MAGIC;
    opened->id = strtoul(words.word[1], NULL, 10);
    free(request.data);
    free(answer.data);
    return opened;
}

void WTSCloseServer(HANDLE hServer)
{
    server_t *opened = hServer;
    if (!opened || opened->magic != SERVER_MAGIC)
        return;
    line_t request = {0}, answer = {0};
    if (line_add(&request, "close") && line_add_number(&request, opened->id))
        channel_call(&request, &answer, 0);
    opened->magic = 0;
    free(opened);
    free(request.data);
    free(answer.data);
}

BOOL WTSEnumerateSessionsExW(HANDLE hServer, DWORD *pLevel, DWORD Filter, WTS_SESSION_INFO_1W **ppSessionInfo,
                             DWORD *pCount)
{
    line_t request = {0}, answer = {0};
    int bad;
    if (!pLevel || *pLevel != 1 || Filter != 0 || !ppSessionInfo || !pCount)
        return fail(ERROR_INVALID_PARAMETER, &request, &answer);
    if (!line_add(&request, "enumerate") || !add_server(&request, hServer, &bad))
        return fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
    if (bad)
        return fail(ERROR_INVALID_HANDLE, &request, &answer);
    DWORD code = channel_call(&request, &answer, 1);
    if (code)
        return fail(code, &request, &answer);
    unsigned long count = strtoul(answer.data + 2, NULL, 10);
    /* One block: the array, then every string, so that WTSFreeMemoryExW frees it whole. */
    char **lines = calloc(count ? count : 1, sizeof *lines);
    size_t strings = 0;
    for (unsigned long i = 0; lines && i < count; i++) {
        if (!channel_read_more(&answer)) {
            channel_done();
            for (unsigned long j = 0; j < i; j++)
                free(lines[j]);
            free(lines);
            return fail(RPC_S_CALL_FAILED, &request, &answer);
        }
        lines[i] = strdup(answer.data);
        strings += answer.length; /* enough room: each 4 hex digits become 2 bytes */
    }
    channel_done();
    size_t size = count * sizeof(WTS_SESSION_INFO_1W) + strings + 16;
    char *block = lines ? counted_alloc(size) : NULL;
    if (!block) {
        for (unsigned long i = 0; lines && i < count; i++)
            free(lines[i]);
        free(lines);
        return fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
    }
    WTS_SESSION_INFO_1W *items = (WTS_SESSION_INFO_1W *)block;
    WCHAR *text = (WCHAR *)(block + count * sizeof(WTS_SESSION_INFO_1W));
    for (unsigned long i = 0; i < count; i++) {
        /* <exec env id> <state> <session id> <session name> <host name> <user> <domain> <farm> */
        words_t words;
        split_words(lines[i], &words);
        if (words.count == 8) {
            items[i].ExecEnvId = (DWORD)strtoul(words.word[0], NULL, 10);
            items[i].State = (DWORD)strtoul(words.word[1], NULL, 10);
            items[i].SessionId = (DWORD)strtoul(words.word[2], NULL, 10);
            WCHAR **fields[5] = {&items[i].pSessionName, &items[i].pHostName, &items[i].pUserName,
                                 &items[i].pDomainName, &items[i].pFarmName};
            for (int f = 0; f < 5; f++) {
                long units = wide_units(words.word[3 + f]);
                if (strcmp(words.word[3 + f], "-") == 0 || units < 0) {
                    *fields[f] = NULL;
                    continue;
                }
                decode_wide(words.word[3 + f], text, (size_t)units + 1);
                *fields[f] = text;
                text += units + 1;
            }
        }
        free(lines[i]);
    }
    free(lines);
    free(request.data);
    free(answer.data);
    *ppSessionInfo = items;
    *pCount = (DWORD)count;
    return 1;
}

BOOL WTSFreeMemoryExW(int WTSTypeClass, void *pMemory, unsigned int NumberOfEntries)
{
    (void)NumberOfEntries;
    if (WTSTypeClass != WTS_TYPE_SESSION_INFO_LEVEL1 || !pMemory) {
        errno = (int)ERROR_INVALID_PARAMETER;
        return 0;
    }
    counted_free(pMemory);
    return 1;
}

void WTSFreeMemory(void *pMemory) { counted_free(pMemory); }

BOOL WTSQuerySessionInformationW(HANDLE hServer, DWORD SessionId, int WTSInfoClass, WCHAR **ppBuffer,
                                 DWORD *pBytesReturned)
{
    line_t request = {0}, answer = {0};
    int bad;
    if (!ppBuffer || !pBytesReturned)
        return fail(ERROR_INVALID_PARAMETER, &request, &answer);
    if (!line_add(&request, "query") || !add_server(&request, hServer, &bad) ||
        !line_add_number(&request, SessionId) || !line_add_number(&request, (unsigned long long)WTSInfoClass))
        return fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
    if (bad)
        return fail(ERROR_INVALID_HANDLE, &request, &answer);
    DWORD code = channel_call(&request, &answer, 0);
    if (code)
        return fail(code, &request, &answer);
    words_t words;
    split_words(answer.data, &words);
    if (WTSInfoClass == WTS_SESSION_INFO_CLASS) {
        /* ok <state> <id> <winstation> <domain> <user> <connect> <disconnect> <last input> <logon> <current> */
        WTSINFOW *info = counted_alloc(sizeof *info);
        if (words.count != 11 || !info) {
            counted_free(info);
            return fail(words.count != 11 ? RPC_S_CALL_FAILED : ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
        }
        info->State = (DWORD)strtoul(words.word[1], NULL, 10);
        info->SessionId = (DWORD)strtoul(words.word[2], NULL, 10);
        decode_wide(words.word[3], info->WinStationName, WINSTATIONNAME_LENGTH);
        decode_wide(words.word[4], info->Domain, DOMAIN_LENGTH);
        decode_wide(words.word[5], info->UserName, USERNAME_LENGTH + 1);
        info->ConnectTime = strtoll(words.word[6], NULL, 10);
        info->DisconnectTime = strtoll(words.word[7], NULL, 10);
        info->LastInputTime = strtoll(words.word[8], NULL, 10);
        info->LogonTime = strtoll(words.word[9], NULL, 10);
        info->CurrentTime = strtoll(words.word[10], NULL, 10);
        *ppBuffer = (WCHAR *)info;
        *pBytesReturned = (DWORD)sizeof *info;
    } else {
        /* ok <string>: the string classes (WTSUserName, WTSDomainName, WTSClientName...) */
        long units = words.count == 2 ? wide_units(words.word[1]) : -1;
        WCHAR *text = units < 0 ? NULL : counted_alloc(((size_t)units + 1) * sizeof(WCHAR));
        if (!text)
            return fail(units < 0 ? RPC_S_CALL_FAILED : ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
        decode_wide(words.word[1], text, (size_t)units + 1);
        *ppBuffer = text;
        *pBytesReturned = (DWORD)(((size_t)units + 1) * sizeof(WCHAR));
    }
    free(request.data);
    free(answer.data);
    return 1;
}

static BOOL end_session(const char *what, HANDLE hServer, DWORD SessionId, BOOL bWait)
{
    line_t request = {0}, answer = {0};
    int bad;
    if (!line_add(&request, what) || !add_server(&request, hServer, &bad) ||
        !line_add_number(&request, SessionId) || !line_add_number(&request, bWait ? 1 : 0))
        return fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
    if (bad)
        return fail(ERROR_INVALID_HANDLE, &request, &answer);
    DWORD code = channel_call(&request, &answer, 0);
    if (code)
        return fail(code, &request, &answer);
    free(request.data);
    free(answer.data);
    return 1;
}

BOOL WTSLogoffSession(HANDLE hServer, DWORD SessionId, BOOL bWait)
{
    return end_session("logoff", hServer, SessionId, bWait);
}

BOOL WTSDisconnectSession(HANDLE hServer, DWORD SessionId, BOOL bWait)
{
    return end_session("disconnect", hServer, SessionId, bWait);
}

BOOL WTSSendMessageW(HANDLE hServer, DWORD SessionId, WCHAR *pTitle, DWORD TitleLength, WCHAR *pMessage,
                     DWORD MessageLength, DWORD Style, DWORD Timeout, DWORD *pResponse, BOOL bWait)
{
    line_t request = {0}, answer = {0};
    int bad;
    /* TitleLength and MessageLength are in bytes: exactly those code units travel, as the caller gave them. */
    if (!pResponse || (TitleLength % 2) || (MessageLength % 2))
        return fail(ERROR_INVALID_PARAMETER, &request, &answer);
    if (!line_add(&request, "message") || !add_server(&request, hServer, &bad) ||
        !line_add_number(&request, SessionId) || !line_add_wide(&request, pTitle, TitleLength / 2) ||
        !line_add_wide(&request, pMessage, MessageLength / 2) || !line_add_number(&request, Style) ||
        !line_add_number(&request, Timeout) || !line_add_number(&request, bWait ? 1 : 0))
        return fail(ERROR_NOT_ENOUGH_MEMORY, &request, &answer);
    if (bad)
        return fail(ERROR_INVALID_HANDLE, &request, &answer);
    DWORD code = channel_call(&request, &answer, 0);
    if (code)
        return fail(code, &request, &answer);
    *pResponse = (DWORD)strtoul(answer.data + 2, NULL, 10);
    free(request.data);
    free(answer.data);
    return 1;
}
