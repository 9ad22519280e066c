# winrds payload: wts v2
# Runs one session operation through the WTS API (wtsapi32.dll) with a small C# helper and prints one JSON
# object, non-ASCII escaped. Contract: docs/architecture.md, "wts payload".

$ErrorActionPreference = 'Stop'
$data = ConvertFrom-Json -InputObject $WinrdsInput

$result = [ordered]@{
    payload            = 'wts'
    version            = 2
    computer           = $env:COMPUTERNAME
    server             = $data.server
    language_mode      = [string]$ExecutionContext.SessionState.LanguageMode
    console_session_id = $null
    error              = $null
}

function Write-Result {
    $json = ConvertTo-Json -InputObject $result -Depth 6 -Compress
    if ($result.language_mode -ne 'FullLanguage') {
        # Only the ASCII error document is written in a restricted language mode (no delegates there).
        return $json
    }
    # Escape everything outside ASCII so that no console code page can change the bytes on the way.
    [regex]::Replace($json, '[^\x00-\x7F]', { param($m) '\u{0:x4}' -f [int][char]$m.Value })
}

if ($result.language_mode -ne 'FullLanguage') {
    $result.error = [ordered]@{ kind = 'helper_unavailable'; code = 0; message = "PowerShell runs in $($result.language_mode) mode: Add-Type is not allowed." }
    Write-Result
    return
}

# The C# helper. Its comments are here, not in it: a here-string is sent as it is.
# - "#pragma warning disable 169, 649": the structures are filled by the marshaller, never by the code, and the
#   compiler of Windows PowerShell 5.1 (csc, C# 5, warnings as errors) may call their fields unused or unassigned.
# - Open: on failure WTSOpenServer returns "a handle that is not valid". NULL is also the local host's handle
#   (WTS_CURRENT_SERVER_HANDLE): used unchecked it would act on this host instead, so NULL is an error.
# - ConsoleSessionId: null when no session is attached to the console (the DWORD 0xFFFFFFFF, not -1).
# - Time: ISO 8601 in UTC whatever the culture of the logon; in a custom format ':' is the culture's time
#   separator and 'yyyy' counts years in its calendar, so every literal is quoted and the culture fixed.
# - LogonTime: the logon time of one session in one call ("" when it has none, null when there is no session).
# - Logoff: bWait=FALSE, because with TRUE the call has been seen to block for ever; the caller polls instead.
$helper = @'
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.Runtime.InteropServices;
#pragma warning disable 169, 649

namespace WinRdsSessions
{
    public class SessionRecord
    {
        public int Id;
        public string Name;
        public string User;
        public string Domain;
        public int StateCode;
        public string Client;
        public string LogonTime;
        public string DisconnectTime;
        public string LastInputTime;
        public string CurrentTime;
    }

    public class WtsException : Exception
    {
        public int Code;
        public WtsException(int code, string what) : base(what + ": " + new Win32Exception(code).Message) { Code = code; }
    }

    public static class Wts
    {
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        struct WTS_SESSION_INFO_1
        {
            public int ExecEnvId;
            public int State;
            public int SessionId;
            public IntPtr SessionName;
            public IntPtr HostName;
            public IntPtr UserName;
            public IntPtr DomainName;
            public IntPtr FarmName;
        }

        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        struct WTSINFO
        {
            public int State;
            public int SessionId;
            public int IncomingBytes;
            public int OutgoingBytes;
            public int IncomingFrames;
            public int OutgoingFrames;
            public int IncomingCompressedBytes;
            public int OutgoingCompressedBytes;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 32)] public string WinStationName;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 17)] public string Domain;
            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 21)] public string UserName;
            public long ConnectTime;
            public long DisconnectTime;
            public long LastInputTime;
            public long LogonTime;
            public long CurrentTime;
        }

        const int WTSClientName = 10;
        const int WTSSessionInfo = 24;
        const int WTSTypeSessionInfoLevel1 = 2;

        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern IntPtr WTSOpenServerW(string serverName);
        [DllImport("wtsapi32.dll")]
        static extern void WTSCloseServer(IntPtr server);
        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool WTSEnumerateSessionsExW(IntPtr server, ref int level, int filter, out IntPtr info, out int count);
        [DllImport("wtsapi32.dll", CharSet = CharSet.Unicode)]
        static extern bool WTSFreeMemoryExW(int type, IntPtr memory, int count);
        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool WTSQuerySessionInformationW(IntPtr server, int sessionId, int infoClass, out IntPtr buffer, out int bytes);
        [DllImport("wtsapi32.dll")]
        static extern void WTSFreeMemory(IntPtr memory);
        [DllImport("wtsapi32.dll", SetLastError = true)]
        static extern bool WTSLogoffSession(IntPtr server, int sessionId, bool wait);
        [DllImport("wtsapi32.dll", SetLastError = true)]
        static extern bool WTSDisconnectSession(IntPtr server, int sessionId, bool wait);
        [DllImport("wtsapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool WTSSendMessageW(IntPtr server, int sessionId, string title, int titleLength,
            string message, int messageLength, int style, int timeout, out int response, bool wait);
        [DllImport("kernel32.dll")]
        static extern uint WTSGetActiveConsoleSessionId();

        const int RPC_S_SERVER_UNAVAILABLE = 1722;
        const int ERROR_CTX_WINSTATION_NOT_FOUND = 7022;

        public static IntPtr Open(string server)
        {
            if (String.IsNullOrEmpty(server)) return IntPtr.Zero;
            IntPtr handle = WTSOpenServerW(server);
            if (handle == IntPtr.Zero)
            {
                int code = Marshal.GetLastWin32Error();
                throw new WtsException(code != 0 ? code : RPC_S_SERVER_UNAVAILABLE, "WTSOpenServer");
            }
            return handle;
        }

        public static void Close(IntPtr server)
        {
            if (server != IntPtr.Zero) WTSCloseServer(server);
        }

        public static object ConsoleSessionId()
        {
            uint id = WTSGetActiveConsoleSessionId();
            if (id == 0xFFFFFFFF) return null;
            return (long)id;
        }

        public static string Time(long fileTime)
        {
            if (fileTime <= 0) return null;
            return DateTime.FromFileTimeUtc(fileTime).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", CultureInfo.InvariantCulture);
        }

        static string QueryString(IntPtr server, int id, int infoClass)
        {
            IntPtr buffer; int bytes;
            if (!WTSQuerySessionInformationW(server, id, infoClass, out buffer, out bytes)) return null;
            try { return Marshal.PtrToStringUni(buffer); } finally { WTSFreeMemory(buffer); }
        }

        public static List<SessionRecord> Enumerate(IntPtr server) { return Enumerate(server, true); }

        public static string LogonTime(IntPtr server, int id)
        {
            IntPtr buffer; int bytes;
            if (!WTSQuerySessionInformationW(server, id, WTSSessionInfo, out buffer, out bytes))
            {
                int code = Marshal.GetLastWin32Error();
                if (code == ERROR_CTX_WINSTATION_NOT_FOUND) return null;
                throw new WtsException(code, "WTSQuerySessionInformation");
            }
            try { return Time(((WTSINFO)Marshal.PtrToStructure(buffer, typeof(WTSINFO))).LogonTime) ?? ""; }
            finally { WTSFreeMemory(buffer); }
        }

        public static List<SessionRecord> Enumerate(IntPtr server, bool withClient)
        {
            int level = 1; IntPtr info; int count;
            if (!WTSEnumerateSessionsExW(server, ref level, 0, out info, out count))
                throw new WtsException(Marshal.GetLastWin32Error(), "WTSEnumerateSessionsEx");
            var sessions = new List<SessionRecord>();
            try
            {
                int size = Marshal.SizeOf(typeof(WTS_SESSION_INFO_1));
                for (int i = 0; i < count; i++)
                {
                    var item = (WTS_SESSION_INFO_1)Marshal.PtrToStructure(new IntPtr(info.ToInt64() + i * size), typeof(WTS_SESSION_INFO_1));
                    var record = new SessionRecord();
                    record.Id = item.SessionId;
                    record.StateCode = item.State;
                    record.Name = Marshal.PtrToStringUni(item.SessionName);
                    record.User = Marshal.PtrToStringUni(item.UserName);
                    record.Domain = Marshal.PtrToStringUni(item.DomainName);
                    Describe(server, record, withClient);
                    sessions.Add(record);
                }
            }
            finally { WTSFreeMemoryExW(WTSTypeSessionInfoLevel1, info, count); }
            return sessions;
        }

        static void Describe(IntPtr server, SessionRecord record, bool withClient)
        {
            IntPtr buffer; int bytes;
            if (WTSQuerySessionInformationW(server, record.Id, WTSSessionInfo, out buffer, out bytes))
            {
                try
                {
                    var info = (WTSINFO)Marshal.PtrToStructure(buffer, typeof(WTSINFO));
                    record.LogonTime = Time(info.LogonTime);
                    record.DisconnectTime = Time(info.DisconnectTime);
                    record.LastInputTime = Time(info.LastInputTime);
                    record.CurrentTime = Time(info.CurrentTime);
                }
                finally { WTSFreeMemory(buffer); }
            }
            if (withClient) record.Client = QueryString(server, record.Id, WTSClientName);
        }

        public static int Logoff(IntPtr server, int id)
        {
            return WTSLogoffSession(server, id, false) ? 0 : Marshal.GetLastWin32Error();
        }

        public static int Disconnect(IntPtr server, int id)
        {
            return WTSDisconnectSession(server, id, false) ? 0 : Marshal.GetLastWin32Error();
        }

        public static int[] SendMessage(IntPtr server, int id, string title, string text, int timeoutSeconds, bool wait)
        {
            int response;
            const int MB_OK_ICONWARNING = 0x30;
            bool ok = WTSSendMessageW(server, id, title, title.Length * 2, text, text.Length * 2,
                MB_OK_ICONWARNING, timeoutSeconds, out response, wait);
            return new int[] { ok ? 0 : Marshal.GetLastWin32Error(), response };
        }
    }
}
'@

function ConvertTo-SessionDocument {
    param($Record)
    [ordered]@{
        id              = $Record.Id
        name            = $Record.Name
        user            = $Record.User
        domain          = $Record.Domain
        state_code      = $Record.StateCode
        client          = $Record.Client
        logon_time      = $Record.LogonTime
        disconnect_time = $Record.DisconnectTime
        last_input_time = $Record.LastInputTime
        current_time    = $Record.CurrentTime
    }
}

function ConvertTo-IsoTime {
    # A time of the snapshot in the helper's own form. PowerShell 7's ConvertFrom-Json turns ISO strings into
    # DateTime values (Windows PowerShell 5.1 leaves them strings); both compare as the helper writes them.
    param($Value)
    if ($Value -is [datetime]) { return [WinRdsSessions.Wts]::Time($Value.ToUniversalTime().ToFileTimeUtc()) }
    [string]$Value
}

function Get-Logons {
    # The sessions of the server now, by ID: one enumeration for every target.
    param([IntPtr]$Server)
    $now = @{}
    foreach ($record in [WinRdsSessions.Wts]::Enumerate($Server, $false)) { $now[$record.Id] = $record }
    $now
}

function Test-Identity {
    # 'match' when the session still holds the logon seen in the snapshot, else 'gone' or 'identity_changed'.
    param($Logons, $Target)
    $now = $Logons[[int]$Target.id]
    if ($null -eq $now) { return 'gone' }
    $same = ([string]$now.User -eq [string]$Target.user) -and ([string]$now.Domain -eq [string]$Target.domain) -and
        ([string]$now.LogonTime -eq (ConvertTo-IsoTime $Target.logon_time))
    if ($same) { return 'match' }
    return 'identity_changed'
}

function New-Outcome {
    param([int]$Id, [string]$Outcome, [int]$Code = 0, [string]$Message = '', $Response = $null)
    [ordered]@{ id = $Id; outcome = $Outcome; code = $Code; message = $Message; response = $Response }
}

try {
    Add-Type -TypeDefinition $helper -Language CSharp
} catch {
    $result.error = [ordered]@{ kind = 'helper_unavailable'; code = 0; message = "Add-Type failed: $($_.Exception.Message)" }
    Write-Result
    return
}

$server = [IntPtr]::Zero
try {
    $server = [WinRdsSessions.Wts]::Open([string]$data.server)
    if (-not $data.server) { $result.console_session_id = [WinRdsSessions.Wts]::ConsoleSessionId() }
    switch ($data.op) {
        'snapshot' {
            $sessions = New-Object System.Collections.Generic.List[object]
            foreach ($record in [WinRdsSessions.Wts]::Enumerate($server)) { $sessions.Add((ConvertTo-SessionDocument $record)) }
            $result.sessions = $sessions
        }
        'message' {
            $results = New-Object System.Collections.Generic.List[object]
            foreach ($target in @($data.targets)) {
                $reply = [WinRdsSessions.Wts]::SendMessage($server, [int]$target.id, [string]$data.title, [string]$data.text,
                    [int]$data.timeout_seconds, [bool]$data.wait_response)
                if ($reply[0] -eq 0) {
                    $results.Add((New-Outcome -Id $target.id -Outcome 'done' -Response $reply[1]))
                } else {
                    $text = (New-Object System.ComponentModel.Win32Exception($reply[0])).Message
                    $results.Add((New-Outcome -Id $target.id -Outcome 'failed' -Code $reply[0] -Message $text))
                }
            }
            $result.results = $results
        }
        default {
            if ($data.op -ne 'logoff' -and $data.op -ne 'disconnect') { throw "unknown operation '$($data.op)'" }
            $outcomes = @{}
            $live = New-Object System.Collections.Generic.List[object]
            $logons = Get-Logons -Server $server
            foreach ($target in @($data.targets)) {
                $verdict = Test-Identity -Logons $logons -Target $target
                if ($verdict -eq 'match') { $live.Add($target) } else { $outcomes[[int]$target.id] = New-Outcome -Id $target.id -Outcome $verdict }
            }
            if ($data.notice -and $live.Count -gt 0) {
                $grace = [int]$data.notice.grace_seconds
                foreach ($target in $live) {
                    # The box stays up for the grace period (60 seconds without one), or until the user closes it.
                    $shown = $grace
                    if ($shown -le 0) { $shown = 60 }
                    [void][WinRdsSessions.Wts]::SendMessage($server, [int]$target.id, [string]$data.notice.title,
                        [string]$data.notice.text, $shown, $false)
                }
                if ($grace -gt 0) { Start-Sleep -Seconds $grace }
                $logons = Get-Logons -Server $server
            }
            foreach ($target in $live) {
                $id = [int]$target.id
                try {
                if ($data.notice) {
                    $verdict = Test-Identity -Logons $logons -Target $target
                    if ($verdict -ne 'match') { $outcomes[$id] = New-Outcome -Id $id -Outcome $verdict; continue }
                }
                if ($data.op -eq 'logoff') { $code = [WinRdsSessions.Wts]::Logoff($server, $id) } else { $code = [WinRdsSessions.Wts]::Disconnect($server, $id) }
                if ($code -ne 0) {
                    $text = (New-Object System.ComponentModel.Win32Exception($code)).Message
                    $outcomes[$id] = New-Outcome -Id $id -Outcome 'failed' -Code $code -Message $text
                    continue
                }
                $outcomes[$id] = New-Outcome -Id $id -Outcome 'done'
                if ($data.op -eq 'logoff' -and $data.wait) {
                    # Only this session is asked about, once per poll: is its logon still there?
                    $deadline = (Get-Date).AddSeconds([int]$data.timeout_seconds)
                    $logon = ConvertTo-IsoTime $target.logon_time
                    while ([WinRdsSessions.Wts]::LogonTime($server, $id) -eq $logon) {
                        if ((Get-Date) -ge $deadline) { $outcomes[$id] = New-Outcome -Id $id -Outcome 'timeout'; break }
                        Start-Sleep -Milliseconds 500
                    }
                }
                } catch {
                    # One session's failure must not hide what happened to the others.
                    $outcomes[$id] = New-Outcome -Id $id -Outcome 'failed' -Message $_.Exception.Message
                }
            }
            $results = New-Object System.Collections.Generic.List[object]
            foreach ($target in @($data.targets)) { $results.Add($outcomes[[int]$target.id]) }
            $result.results = $results
        }
    }
} catch {
    $code = 0
    if ($_.Exception.InnerException -and ($_.Exception.InnerException.PSObject.Properties.Name -contains 'Code')) {
        $code = [int]$_.Exception.InnerException.Code
    }
    # The Win32 code says what failed; the controller names it (diagnostics.py).
    $kind = 'exception'
    if ($code) { $kind = 'win32' }
    $result.error = [ordered]@{ kind = $kind; code = $code; message = $_.Exception.Message }
} finally {
    [WinRdsSessions.Wts]::Close($server)
}
Write-Result
