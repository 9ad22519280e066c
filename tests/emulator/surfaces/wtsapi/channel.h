/* The channel between the stand-in Windows libraries and the emulated host that answers for them.
 *
 * The emulated host (tests/emulator/surfaces/broker.py) listens on an abstract Unix socket named by the
 * environment variable WINRDS_EMU_BROKER; WINRDS_EMU_TOKEN tells it which command (caller, host) a process
 * belongs to. One connection per thread, opened on the thread's first call, one request line and one answer at a
 * time: threads call at once, as they may call the real library (a message that waits blocks only its thread). Lines are ASCII: words separated by one space; strings travel as '=' and the
 * hex of their UTF-16LE code units ('-' is a NULL pointer). The answer is "ok ..." or "err <win32 code>".
 *
 * Windows semantics kept here: a failing call returns FALSE (or NULL) with the Win32 error as the thread's last
 * error. On Linux, .NET's SetLastError marshalling reads errno, so errno is set last, just before returning.
 */
#ifndef WINRDS_CHANNEL_H
#define WINRDS_CHANNEL_H

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

typedef uint32_t DWORD;
typedef int32_t BOOL;
typedef uint16_t WCHAR;
typedef void *HANDLE;

#define ERROR_INVALID_HANDLE 6u
#define ERROR_NOT_ENOUGH_MEMORY 8u
#define ERROR_INVALID_PARAMETER 87u
#define RPC_S_CALL_FAILED 1726u

static __thread int channel_fd = -1;

/* Growable text buffer for one request or answer line. */
typedef struct {
    char *data;
    size_t length;
    size_t capacity;
} line_t;

static inline int line_reserve(line_t *line, size_t more)
{
    if (line->length + more + 1 <= line->capacity)
        return 1;
    size_t capacity = line->capacity ? line->capacity : 256;
    while (capacity < line->length + more + 1)
        capacity *= 2;
    char *data = realloc(line->data, capacity);
    if (!data)
        return 0;
    line->data = data;
    line->capacity = capacity;
    return 1;
}

static inline int line_add(line_t *line, const char *text)
{
    size_t length = strlen(text);
    if (!line_reserve(line, length))
        return 0;
    memcpy(line->data + line->length, text, length + 1);
    line->length += length;
    return 1;
}

static inline int line_add_number(line_t *line, unsigned long long value)
{
    char text[32];
    snprintf(text, sizeof text, " %llu", value);
    return line_add(line, text);
}

/* A string argument: " =<hex of UTF-16LE>" for `count` code units, or " -" for NULL. */
static inline int line_add_wide(line_t *line, const WCHAR *text, size_t count)
{
    static const char digits[] = "0123456789abcdef";
    if (!text)
        return line_add(line, " -");
    if (!line_reserve(line, 2 + count * 4))
        return 0;
    char *out = line->data + line->length;
    *out++ = ' ';
    *out++ = '=';
    for (size_t i = 0; i < count; i++) {
        unsigned low = text[i] & 0xff, high = text[i] >> 8;
        *out++ = digits[low >> 4];
        *out++ = digits[low & 15];
        *out++ = digits[high >> 4];
        *out++ = digits[high & 15];
    }
    *out = '\0';
    line->length = (size_t)(out - line->data);
    return 1;
}

static inline size_t wide_length(const WCHAR *text)
{
    size_t count = 0;
    while (text && text[count])
        count++;
    return count;
}

static inline int channel_connect(void)
{
    const char *name = getenv("WINRDS_EMU_BROKER");
    const char *token = getenv("WINRDS_EMU_TOKEN");
    if (!name || !token || strlen(name) + 2 > sizeof(((struct sockaddr_un *)0)->sun_path))
        return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_un address;
    memset(&address, 0, sizeof address);
    address.sun_family = AF_UNIX;
    memcpy(address.sun_path + 1, name, strlen(name)); /* abstract: sun_path[0] is NUL */
    socklen_t size = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
    if (connect(fd, (struct sockaddr *)&address, size) != 0) {
        close(fd);
        return -1;
    }
    char hello[256];
    int length = snprintf(hello, sizeof hello, "hello %s\n", token);
    if (length <= 0 || (size_t)length >= sizeof hello || write(fd, hello, (size_t)length) != length) {
        close(fd);
        return -1;
    }
    return fd;
}

static inline int write_all(int fd, const char *data, size_t length)
{
    while (length) {
        ssize_t done = write(fd, data, length);
        if (done < 0 && errno == EINTR)
            continue;
        if (done <= 0)
            return 0;
        data += done;
        length -= (size_t)done;
    }
    return 1;
}

/* Read one line (without its '\n') into `answer`; 0 when the connection ended first. */
static inline int read_line(int fd, line_t *answer)
{
    answer->length = 0;
    if (!line_reserve(answer, 0))
        return 0;
    answer->data[0] = '\0';
    for (;;) {
        char chunk;
        ssize_t got = read(fd, &chunk, 1);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        if (chunk == '\n')
            return 1;
        if (!line_reserve(answer, 1))
            return 0;
        answer->data[answer->length++] = chunk;
        answer->data[answer->length] = '\0';
    }
}

/* Send `request` (without '\n') on this thread's connection and read the first answer line into `answer`; an
 * answer "ok <n> ..." is followed by n more lines for the caller to read (channel_read_more, then channel_done).
 * Returns 0 on success with the answer, or the Win32 error to report. */
static inline DWORD channel_call(line_t *request, line_t *answer, int more_lines)
{
    (void)more_lines;
    if (channel_fd < 0)
        channel_fd = channel_connect();
    if (channel_fd < 0 || !line_add(request, "\n") || !write_all(channel_fd, request->data, request->length) ||
        !read_line(channel_fd, answer)) {
        if (channel_fd >= 0)
            close(channel_fd);
        channel_fd = -1;
        return RPC_S_CALL_FAILED; /* the emulated host is gone: the call cannot be completed */
    }
    if (strncmp(answer->data, "err ", 4) == 0) {
        DWORD code = (DWORD)strtoul(answer->data + 4, NULL, 10);
        return code ? code : RPC_S_CALL_FAILED;
    }
    if (strncmp(answer->data, "ok", 2) != 0)
        return RPC_S_CALL_FAILED;
    return 0;
}

static inline int channel_read_more(line_t *answer)
{
    return read_line(channel_fd, answer);
}

static inline void channel_done(void)
{
}

/* The words of an answer line, split in place. */
typedef struct {
    char *word[16];
    int count;
} words_t;

static inline void split_words(char *text, words_t *words)
{
    words->count = 0;
    char *save = NULL;
    for (char *word = strtok_r(text, " ", &save); word && words->count < 16; word = strtok_r(NULL, " ", &save))
        words->word[words->count++] = word;
}

static inline int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Code units of a "=<hex>" word (0 for "-"); -1 when malformed. */
static inline long wide_units(const char *word)
{
    if (strcmp(word, "-") == 0)
        return 0;
    if (word[0] != '=' || (strlen(word) - 1) % 4)
        return -1;
    return (long)((strlen(word) - 1) / 4);
}

/* Decode a "=<hex>" word into `out` (room for `room` units, always NUL-terminated, cut when longer). */
static inline void decode_wide(const char *word, WCHAR *out, size_t room)
{
    long units = wide_units(word);
    size_t i = 0;
    for (; units > 0 && i < (size_t)units && i + 1 < room; i++) {
        const char *hex = word + 1 + i * 4;
        out[i] = (WCHAR)((hex_value(hex[0]) << 4 | hex_value(hex[1])) | (hex_value(hex[2]) << 4 | hex_value(hex[3])) << 8);
    }
    if (room)
        out[i] = 0;
}

#endif
