# winrds payload: wts v3
# Runs one session operation through the WTS API (wtsapi32.dll), whose functions it defines at run time, and
# prints one JSON object, non-ASCII escaped. Contract: docs/architecture.md, "wts payload".
# Lines between "# winrds-only: <operations>" and "# winrds-only: end" are sent only for those operations.

$ErrorActionPreference = 'Stop'
$data = ConvertFrom-Json -InputObject $WinrdsInput

$result = [ordered]@{
    payload            = 'wts'
    version            = 3
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
    $result.error = [ordered]@{ kind = 'helper_unavailable'; code = 0; message = "PowerShell runs in $($result.language_mode) mode: the WTS functions cannot be loaded." }
    Write-Result
    return
}

# The WTS functions, defined at run time with System.Reflection.Emit: no compiler runs and no file is written,
# so nothing needs csc.exe (which application control may block) and nothing on disk can be replaced by another
# user. Each function F of the table gets a method F(arguments..., [ref]$lastError) that calls it and reads the
# thread's last error at once: on .NET Framework from the DllImport SetLastError the method carries
# (GetLastWin32Error), on .NET 6 and later, which ignore that attribute on emitted methods, straight from the
# system (GetLastSystemError). Signatures and structure layouts: Microsoft's wtsapi32.h reference.
function New-WtsFunctions {
    $marshal = [Runtime.InteropServices.Marshal]
    $reader = $marshal.GetMethod('GetLastSystemError', [Type[]]@())
    if (-not $reader) { $reader = $marshal.GetMethod('GetLastWin32Error', [Type[]]@()) }
    $int = [int]
    $intRef = [int].MakeByRefType()
    $ptr = [IntPtr]
    $ptrRef = [IntPtr].MakeByRefType()
    $table = @(
        @('wtsapi32.dll', 'WTSOpenServerW', $ptr, @([string])),
        @('wtsapi32.dll', 'WTSCloseServer', [void], @($ptr)),
        @('wtsapi32.dll', 'WTSEnumerateSessionsExW', [bool], @($ptr, $intRef, $int, $ptrRef, $intRef)),
        @('wtsapi32.dll', 'WTSFreeMemoryExW', [bool], @($int, $ptr, $int)),
        @('wtsapi32.dll', 'WTSQuerySessionInformationW', [bool], @($ptr, $int, $int, $ptrRef, $intRef)),
        @('wtsapi32.dll', 'WTSFreeMemory', [void], @($ptr)),
        @('wtsapi32.dll', 'WTSLogoffSession', [bool], @($ptr, $int, [bool])),
        @('wtsapi32.dll', 'WTSDisconnectSession', [bool], @($ptr, $int, [bool])),
        @('wtsapi32.dll', 'WTSSendMessageW', [bool], @($ptr, $int, [string], $int, [string], $int, $int, $int, $intRef, [bool])),
        @('kernel32.dll', 'WTSGetActiveConsoleSessionId', [uint32], @())
    )
    $assembly = [Reflection.Emit.AssemblyBuilder]::DefineDynamicAssembly([Reflection.AssemblyName]::new('WinRdsWts'), 'Run')
    $type = $assembly.DefineDynamicModule('WinRdsWts').DefineType('WinRdsWts', 'Public, Class, Sealed, Abstract')
    $dllImport = [Runtime.InteropServices.DllImportAttribute]
    $fields = [Reflection.FieldInfo[]]@($dllImport.GetField('SetLastError'), $dllImport.GetField('CharSet'))
    foreach ($entry in $table) {
        $dll, $name, $returns, $parameters = $entry
        $native = $type.DefinePInvokeMethod($name + 'Native', $dll, $name, 'Private, Static, PinvokeImpl', 'Standard',
            $returns, [Type[]]$parameters, 'Winapi', 'Unicode')
        $native.SetImplementationFlags('PreserveSig')
        $native.SetCustomAttribute([Reflection.Emit.CustomAttributeBuilder]::new(
                $dllImport.GetConstructor([Type[]]@([string])), @($dll), $fields, @($true, [Runtime.InteropServices.CharSet]::Unicode)))
        $method = $type.DefineMethod($name, 'Public, Static', $returns, [Type[]]($parameters + $intRef))
        $il = $method.GetILGenerator()
        for ($i = 0; $i -lt $parameters.Count; $i++) { $il.Emit([Reflection.Emit.OpCodes]::Ldarg, [int16]$i) }
        $il.Emit([Reflection.Emit.OpCodes]::Call, $native)
        $il.Emit([Reflection.Emit.OpCodes]::Ldarg, [int16]$parameters.Count)
        $il.Emit([Reflection.Emit.OpCodes]::Call, $reader)
        $il.Emit([Reflection.Emit.OpCodes]::Stind_I4)
        $il.Emit([Reflection.Emit.OpCodes]::Ret)
    }
    $type.CreateType()
}

# Layouts (x64 and x86): WTS_SESSION_INFO_1W is three DWORDs then five LPWSTR, pointer-aligned; WTSINFOW is eight
# DWORDs, WCHAR[32], WCHAR[17], WCHAR[21] and five LARGE_INTEGER (FILETIME ticks) from offset 176, 216 bytes.
$PointerSize = [IntPtr]::Size
$Info1Strings = 12
if ($PointerSize -eq 8) { $Info1Strings = 16 }
$Info1Size = $Info1Strings + 5 * $PointerSize
$WTSClientName = 10
$WTSSessionInfo = 24
$WTSTypeSessionInfoLevel1 = 2

function Format-Time {
    # ISO 8601 in UTC whatever the culture of the logon: in a custom format ':' is the culture's time separator and
    # 'yyyy' counts years in its calendar, so every literal is quoted and the culture fixed. 0 is "not set".
    param([long]$FileTime)
    if ($FileTime -le 0) { return $null }
    [DateTime]::FromFileTimeUtc($FileTime).ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss'Z'", [Globalization.CultureInfo]::InvariantCulture)
}

function New-WtsError {
    # The exception a failed call ends the whole operation with; the controller explains it by its code.
    param([int]$Code, [string]$Call)
    $exception = New-Object System.ComponentModel.Win32Exception($Code)
    $exception.Data['Code'] = $Code
    $exception.Data['Call'] = $Call
    $exception
}

function Open-Server {
    # WTS_CURRENT_SERVER_HANDLE (zero) for this host. WTSOpenServer returns "a handle that is not valid" when it
    # fails; NULL is also this host's handle, so used unchecked it would act here instead: NULL is an error.
    param([string]$Name)
    if (-not $Name) { return [IntPtr]::Zero }
    $err = 0
    $handle = $Wts::WTSOpenServerW($Name, [ref]$err)
    if ($handle -eq [IntPtr]::Zero) {
        if (-not $err) { $err = 1722 }
        throw (New-WtsError $err 'WTSOpenServer')
    }
    $handle
}

function Get-SessionInfo {
    # The times of one session's WTSINFOW into $Record, or $false (and the error in $Record.Error) when the call
    # fails. The user and domain come from the enumeration: WTSINFOW's arrays cut longer names.
    param([IntPtr]$Server, $Record)
    $buffer = [IntPtr]::Zero
    $bytes = 0
    $err = 0
    if (-not $Wts::WTSQuerySessionInformationW($Server, $Record.Id, $WTSSessionInfo, [ref]$buffer, [ref]$bytes, [ref]$err)) {
        $Record.Error = $err
        return $false
    }
    try {
        $Record.LogonTime = Format-Time ([Runtime.InteropServices.Marshal]::ReadInt64($buffer, 200))
        $Record.DisconnectTime = Format-Time ([Runtime.InteropServices.Marshal]::ReadInt64($buffer, 184))
        $Record.LastInputTime = Format-Time ([Runtime.InteropServices.Marshal]::ReadInt64($buffer, 192))
        $Record.CurrentTime = Format-Time ([Runtime.InteropServices.Marshal]::ReadInt64($buffer, 208))
    } finally { $null = $Wts::WTSFreeMemory($buffer, [ref]$err) }
    $true
}

# winrds-only: snapshot
function Get-ClientName {
    param([IntPtr]$Server, [int]$Id)
    $buffer = [IntPtr]::Zero
    $bytes = 0
    $err = 0
    if (-not $Wts::WTSQuerySessionInformationW($Server, $Id, $WTSClientName, [ref]$buffer, [ref]$bytes, [ref]$err)) { return $null }
    try { [Runtime.InteropServices.Marshal]::PtrToStringUni($buffer) } finally { $null = $Wts::WTSFreeMemory($buffer, [ref]$err) }
}
# winrds-only: end

function Get-Sessions {
    # Every session of the server (WTSEnumerateSessionsEx, level 1), with its WTSINFOW times and, with
    # -WithClient, its client name: one call, then one or two per session.
    param([IntPtr]$Server, [switch]$WithClient)
    $level = 1
    $info = [IntPtr]::Zero
    $count = 0
    $err = 0
    if (-not $Wts::WTSEnumerateSessionsExW($Server, [ref]$level, 0, [ref]$info, [ref]$count, [ref]$err)) {
        throw (New-WtsError $err 'WTSEnumerateSessionsEx')
    }
    $sessions = New-Object System.Collections.Generic.List[object]
    try {
        for ($i = 0; $i -lt $count; $i++) {
            $item = [IntPtr]::Add($info, $i * $Info1Size)
            $marshal = [Runtime.InteropServices.Marshal]
            $sessions.Add([pscustomobject]@{
                    Id             = $marshal::ReadInt32($item, 8)
                    StateCode      = $marshal::ReadInt32($item, 4)
                    Name           = $marshal::PtrToStringUni($marshal::ReadIntPtr($item, $Info1Strings))
                    User           = $marshal::PtrToStringUni($marshal::ReadIntPtr($item, $Info1Strings + 2 * $PointerSize))
                    Domain         = $marshal::PtrToStringUni($marshal::ReadIntPtr($item, $Info1Strings + 3 * $PointerSize))
                    Client         = $null
                    LogonTime      = $null
                    DisconnectTime = $null
                    LastInputTime  = $null
                    CurrentTime    = $null
                    Error          = 0
                })
        }
    } finally { $null = $Wts::WTSFreeMemoryExW($WTSTypeSessionInfoLevel1, $info, $count, [ref]$err) }
    foreach ($session in $sessions) {
        $null = Get-SessionInfo -Server $Server -Record $session
        if ($WithClient) { $session.Client = Get-ClientName -Server $Server -Id $session.Id }
    }
    $sessions
}

# winrds-only: logoff disconnect message
function Get-LogonTime {
    # The logon time of one session in one call: "" when it has none, $null when there is no such session.
    param([IntPtr]$Server, [int]$Id)
    $record = [pscustomobject]@{ Id = $Id; User = ''; LogonTime = $null; DisconnectTime = $null; LastInputTime = $null; CurrentTime = $null; Error = 0 }
    if (Get-SessionInfo -Server $Server -Record $record) { return [string]$record.LogonTime }
    if ($record.Error -eq 7022) { return $null }
    throw (New-WtsError $record.Error 'WTSQuerySessionInformation')
}

# WTSSendMessage: @(win32 error or 0, response); lengths are in bytes, 0x30 is MB_OK with a warning icon. A script
# block, so that a thread of its own can run it too (Send-MessagesTogether).
$SendMessage = {
    param($Wts, [IntPtr]$Server, [int]$Id, [string]$Title, [string]$Text, [int]$Seconds, [bool]$Wait)
    $response = 0
    $err = 0
    if ($Wts::WTSSendMessageW($Server, $Id, $Title, $Title.Length * 2, $Text, $Text.Length * 2, 0x30, $Seconds, [ref]$response, $Wait, [ref]$err)) {
        return @(0, $response)
    }
    @($err, 0)
}

function Send-MessagesTogether {
    # Messages that wait for an answer, one thread each: WTSSendMessage with bWait blocks its caller until the user
    # answers or the timeout passes, so every user sees the message at once and the call takes about one timeout
    # (up to 64 at a time). A reply is @(win32 error or 0, response), or @(-1, 0, reason) when the thread failed.
    param([IntPtr]$Server, $Targets, [string]$Title, [string]$Text, [int]$Seconds)
    $pool = [RunspaceFactory]::CreateRunspacePool(1, [Math]::Min(64, @($Targets).Count))
    $pool.Open()
    $replies = @{}
    try {
        $calls = foreach ($target in $Targets) {
            $shell = [PowerShell]::Create()
            $shell.RunspacePool = $pool
            $null = $shell.AddScript($SendMessage.ToString())
            foreach ($argument in @($Wts, $Server, [int]$target.id, $Title, $Text, $Seconds, $true)) { $null = $shell.AddArgument($argument) }
            , @([int]$target.id, $shell, $shell.BeginInvoke())
        }
        foreach ($call in $calls) {
            try {
                $reply = @($call[1].EndInvoke($call[2]))
                $replies[$call[0]] = @([int]$reply[0], $reply[1])
            } catch {
                $replies[$call[0]] = @(-1, 0, $_.Exception.Message)
            } finally { $call[1].Dispose() }
        }
    } finally { $pool.Dispose() }
    $replies
}

# winrds-only: end
# winrds-only: snapshot
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

# winrds-only: end
# winrds-only: logoff disconnect message
function ConvertTo-IsoTime {
    # A time of the snapshot in this payload's own form. PowerShell 7's ConvertFrom-Json turns ISO strings into
    # DateTime values (Windows PowerShell 5.1 leaves them strings); both compare as Format-Time writes them.
    param($Value)
    if ($Value -is [datetime]) { return Format-Time $Value.ToUniversalTime().ToFileTimeUtc() }
    [string]$Value
}

function Get-Logons {
    # The sessions of the server now, by ID: one enumeration for every target.
    param([IntPtr]$Server)
    $now = @{}
    foreach ($record in (Get-Sessions -Server $Server)) { $now[$record.Id] = $record }
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
# winrds-only: end

try {
    $Wts = New-WtsFunctions
} catch {
    $result.error = [ordered]@{ kind = 'helper_unavailable'; code = 0; message = "the WTS functions could not be defined: $($_.Exception.Message)" }
    Write-Result
    return
}

$server = [IntPtr]::Zero
try {
    $server = Open-Server ([string]$data.server)
    if (-not $data.server) {
        $err = 0
        $console = $Wts::WTSGetActiveConsoleSessionId([ref]$err)
        # 0xFFFFFFFF: no session is attached to the console.
        if ($console -ne [uint32]::MaxValue) { $result.console_session_id = [long]$console }
    }
    switch ($data.op) {
        # winrds-only: snapshot
        'snapshot' {
            $sessions = New-Object System.Collections.Generic.List[object]
            foreach ($record in (Get-Sessions -Server $server -WithClient)) { $sessions.Add((ConvertTo-SessionDocument $record)) }
            $result.sessions = $sessions
        }
        # winrds-only: end
        # winrds-only: logoff disconnect message
        'message' {
            $targets = @($data.targets)
            if ($data.wait_response -and $targets.Count -gt 1) {
                $replies = Send-MessagesTogether $server $targets ([string]$data.title) ([string]$data.text) ([int]$data.timeout_seconds)
            } else {
                $replies = @{}
                foreach ($target in $targets) {
                    $replies[[int]$target.id] = & $SendMessage $Wts $server ([int]$target.id) ([string]$data.title) ([string]$data.text) ([int]$data.timeout_seconds) ([bool]$data.wait_response)
                }
            }
            $results = New-Object System.Collections.Generic.List[object]
            foreach ($target in $targets) {
                $reply = $replies[[int]$target.id]
                if ($reply[0] -eq 0) {
                    $results.Add((New-Outcome -Id $target.id -Outcome 'done' -Response $reply[1]))
                } elseif ($reply[0] -lt 0) {
                    $results.Add((New-Outcome -Id $target.id -Outcome 'failed' -Message $reply[2]))
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
                    $null = & $SendMessage $Wts $server ([int]$target.id) ([string]$data.notice.title) ([string]$data.notice.text) $shown $false
                }
                if ($grace -gt 0) { Start-Sleep -Seconds $grace }
                $logons = Get-Logons -Server $server
            }
            # Every session is asked to leave first; then they are waited for together, so that a logoff with wait
            # takes one timeout at most, whatever the number of sessions.
            $waiting = @()
            foreach ($target in $live) {
                $id = [int]$target.id
                try {
                    if ($data.notice) {
                        $verdict = Test-Identity -Logons $logons -Target $target
                        if ($verdict -ne 'match') { $outcomes[$id] = New-Outcome -Id $id -Outcome $verdict; continue }
                    }
                    # bWait FALSE: with TRUE the call has been seen to block for ever; the wait below polls instead.
                    $err = 0
                    if ($data.op -eq 'logoff') { $ok = $Wts::WTSLogoffSession($server, $id, $false, [ref]$err) } else { $ok = $Wts::WTSDisconnectSession($server, $id, $false, [ref]$err) }
                    if (-not $ok) {
                        $text = (New-Object System.ComponentModel.Win32Exception($err)).Message
                        $outcomes[$id] = New-Outcome -Id $id -Outcome 'failed' -Code $err -Message $text
                        continue
                    }
                    $outcomes[$id] = New-Outcome -Id $id -Outcome 'done'
                    if ($data.op -eq 'logoff' -and $data.wait) { $waiting += $target }
                } catch {
                    # One session's failure must not hide what happened to the others.
                    $outcomes[$id] = New-Outcome -Id $id -Outcome 'failed' -Message $_.Exception.Message
                }
            }
            $deadline = (Get-Date).AddSeconds([int]$data.timeout_seconds)
            while ($waiting.Count -gt 0) {
                # Each waiting session is asked about once per poll: is its logon still there?
                $still = @()
                foreach ($target in $waiting) {
                    $id = [int]$target.id
                    try {
                        if ((Get-LogonTime -Server $server -Id $id) -eq (ConvertTo-IsoTime $target.logon_time)) { $still += $target }
                    } catch {
                        $outcomes[$id] = New-Outcome -Id $id -Outcome 'failed' -Message $_.Exception.Message
                    }
                }
                $waiting = $still
                if ($waiting.Count -eq 0) { break }
                if ((Get-Date) -ge $deadline) {
                    foreach ($target in $waiting) { $outcomes[[int]$target.id] = New-Outcome -Id $target.id -Outcome 'timeout' }
                    break
                }
                Start-Sleep -Milliseconds 500
            }
            $results = New-Object System.Collections.Generic.List[object]
            foreach ($target in @($data.targets)) { $results.Add($outcomes[[int]$target.id]) }
            $result.results = $results
        }
        # winrds-only: end
    }
} catch {
    # The Win32 code says what failed; the controller names it (diagnostics.py).
    $code = 0
    $exception = $_.Exception
    while ($exception) {
        if ($exception.Data.Contains('Code')) { $code = [int]$exception.Data['Code']; break }
        $exception = $exception.InnerException
    }
    $kind = 'exception'
    if ($code) { $kind = 'win32' }
    $message = $_.Exception.Message
    if ($_.Exception.Data.Contains('Call')) { $message = "$($_.Exception.Data['Call']): $message" }
    $result.error = [ordered]@{ kind = $kind; code = $code; message = $message }
} finally {
    if ($server -ne [IntPtr]::Zero) { $err = 0; $Wts::WTSCloseServer($server, [ref]$err) }
}
Write-Result
