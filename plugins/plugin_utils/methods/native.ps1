# winrds payload: native v2
# Runs the native Remote Desktop tools (query, logoff, tsdiscon, msg; chcp and reg for the code pages, tasklist for
# domains) for one operation and hands their exact output to the controller: each tool runs as its own process
# with its standard output and error redirected to files, whose bytes are written as hexadecimal between ASCII
# frame lines, so that no console code page and no PowerShell decoding changes them on the way. Works in
# ConstrainedLanguage mode: only cmdlets, native programs, operators and properties are used, no .NET methods.
# Contract: docs/architecture.md, "native payload".

$ErrorActionPreference = 'Continue'
$data = ConvertFrom-Json -InputObject $WinrdsInput
$full = "$($ExecutionContext.SessionState.LanguageMode)" -eq 'FullLanguage'
$newEngine = $PSVersionTable.PSVersion.Major -ge 6

# A 32-bit PowerShell on a 64-bit Windows sees SysWOW64, where the session tools do not exist.
if ($env:PROCESSOR_ARCHITEW6432) { $toolDir = "$env:SystemRoot\Sysnative" } else { $toolDir = "$env:SystemRoot\System32" }
$tools = @{
    chcp     = "$toolDir\chcp.com"
    reg      = "$toolDir\reg.exe"
    query    = "$toolDir\query.exe"
    tasklist = "$toolDir\tasklist.exe"
    logoff   = "$toolDir\logoff.exe"
    tsdiscon = "$toolDir\tsdiscon.exe"
    msg      = "$toolDir\msg.exe"
}

$serverArgs = ''
$taskServerArgs = ''
if ($data.server) {
    if ($data.server -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]*$') {
        '##winrds:error bad_server 87'
        return
    }
    $serverArgs = " /server:$($data.server)"
    $taskServerArgs = " /s $($data.server)"
}

function ConvertTo-Hex {
    # The bytes of a file as upper-case hexadecimal pairs separated by blanks, '' for an empty file.
    param([string]$Path)
    if ($newEngine) { $bytes = Get-Content -LiteralPath $Path -AsByteStream -ReadCount 0 } else { $bytes = Get-Content -LiteralPath $Path -Encoding Byte -ReadCount 0 }
    if ($null -eq $bytes) { return '' }
    if ($full) { return [BitConverter]::ToString([byte[]]$bytes) -replace '-', ' ' }
    (@($bytes) | ForEach-Object { '{0:X2}' -f $_ }) -join ' '
}

function ConvertTo-Argument {
    # One command-line argument that a program's standard argument parser (CommandLineToArgvW) reads back
    # unchanged: quoted, backslashes before a quote doubled, quotes escaped.
    param([string]$Text)
    $escaped = $Text -replace '(\\*)"', '$1$1\"'
    $escaped = $escaped -replace '(\\+)$', '$1$1'
    '"' + $escaped + '"'
}

function Start-Tool {
    # Starts one tool with its output redirected to two new files; returns a handle for Complete-Tool.
    param([string]$Tool, [string]$Arguments)
    $run = @{ Tool = $Tool; Out = (New-TemporaryFile).FullName; Err = (New-TemporaryFile).FullName; Process = $null; Problem = $null }
    try {
        $started = @{ FilePath = $tools[$Tool]; NoNewWindow = $true; PassThru = $true; RedirectStandardOutput = $run.Out; RedirectStandardError = $run.Err }
        if ($Arguments) { $started.ArgumentList = $Arguments }
        $run.Process = Start-Process @started -ErrorAction Stop
        # Windows PowerShell keeps the exit code of a process started this way only once its handle was read.
        $null = $run.Process.Handle
    } catch {
        $run.Problem = $_.Exception.Message
    }
    $run
}

function Complete-Tool {
    # Waits for a started tool and writes its frame: begin, the output bytes, end with the exit code and verdict.
    # A tool that could not be started gets rc=-1 and verdict=missing, with the reason as its error output.
    param($Run, [string]$Step, $Id = $null, [string]$Verdict = '')
    $label = $Step
    if ($null -ne $Id) { $label = "$Step $Id" }
    "##winrds:begin $label"
    $rc = -1
    $out = ''
    $err = ''
    if ($Run.Process) {
        Wait-Process -InputObject $Run.Process -ErrorAction SilentlyContinue
        $rc = $Run.Process.ExitCode
        if ($null -eq $rc) { $rc = -1 }
        $out = ConvertTo-Hex $Run.Out
        $err = ConvertTo-Hex $Run.Err
        if ($out) { "##winrds:out $out" }
        if ($err) { "##winrds:err $err" }
    } else {
        $Verdict = 'missing'
        "##winrds:note $($Run.Problem -replace '[^\x20-\x7E]', '?')"
    }
    Remove-Item -LiteralPath $Run.Out, $Run.Err -ErrorAction SilentlyContinue
    $script:lastRc = $rc
    $script:lastHex = " $out $err "
    if ($Verdict) { "##winrds:end $label rc=$rc verdict=$Verdict" } else { "##winrds:end $label rc=$rc" }
}

function Invoke-Tool {
    param([string]$Step, [string]$Tool, [string]$Arguments, $Id = $null)
    Complete-Tool -Run (Start-Tool -Tool $Tool -Arguments $Arguments) -Step $Step -Id $Id
}

function Test-Gone {
    # After a failed `query user <id>`: "no such session" prints no Win32 error code; any other failure does
    # ("Error [1722]:..."), and the brackets and digits are ASCII in every code page.
    $script:lastHex -notmatch ' 5B( 3[0-9])+ 5D '
}

function Test-Identity {
    # Writes the guard frame of one target: `query user <id>` must show the user and logon cells of the snapshot
    # (compared as bytes, in the encoding the tool used), and, when the snapshot learned the account's domain,
    # tasklist must show a process of the session under that account. Leaves the verdict in $script:verdict:
    # match, gone, mismatch or error.
    param($Target, [string]$Step)
    $id = [int]$Target.id
    $run = Start-Tool -Tool 'query' -Arguments "user $id$serverArgs"
    $frame = Complete-Tool -Run $run -Step $Step -Id $id -Verdict 'pending'
    $verdict = 'mismatch'
    if ($null -eq $run.Process) { $verdict = 'error' }
    elseif ($script:lastRc -ne 0) { if (Test-Gone) { $verdict = 'gone' } else { $verdict = 'error' } }
    elseif ($script:lastHex.Contains(" $($Target.user_hex) ") -and (-not $Target.logon_hex -or $script:lastHex.Contains(" $($Target.logon_hex) "))) { $verdict = 'match' }
    if ($verdict -eq 'match' -and $Target.account_hex) {
        $accounts = Start-Tool -Tool 'tasklist' -Arguments "/v /fo csv /nh /fi `"SESSION eq $id`"$taskServerArgs"
        $frame += Complete-Tool -Run $accounts -Step "$Step-account" -Id $id
        if ($script:lastRc -ne 0) { $verdict = 'error' } elseif (-not $script:lastHex.Contains(" $($Target.account_hex) ")) { $verdict = 'mismatch' }
    }
    $frame -replace 'verdict=pending', "verdict=$verdict"
    $script:verdict = $verdict
}

Invoke-Tool -Step 'chcp' -Tool 'chcp'
Invoke-Tool -Step 'oemcp' -Tool 'reg' -Arguments 'query HKLM\SYSTEM\CurrentControlSet\Control\Nls\CodePage /v OEMCP'

switch ($data.op) {
    'snapshot' {
        Invoke-Tool -Step 'query-session' -Tool 'query' -Arguments "session$serverArgs"
        Invoke-Tool -Step 'query-user' -Tool 'query' -Arguments "user$serverArgs"
        if ($data.domains) { Invoke-Tool -Step 'tasklist' -Tool 'tasklist' -Arguments "/v /fo csv /nh$taskServerArgs" }
    }
    'message' {
        # Every message first, then every answer: with wait_response the users answer at the same time.
        $text = [string]$data.text
        if ($data.title) { $text = "$($data.title)`r`n$text" }
        $switches = "$serverArgs /time:$([int]$data.timeout_seconds) /v"
        if ($data.wait_response) { $switches += ' /w' }
        $runs = @()
        foreach ($target in @($data.targets)) {
            $runs += , @([int]$target.id, (Start-Tool -Tool 'msg' -Arguments "$([int]$target.id)$switches $(ConvertTo-Argument $text)"))
        }
        foreach ($pair in $runs) { Complete-Tool -Run $pair[1] -Step 'msg' -Id $pair[0] }
    }
    default {
        if ($data.op -eq 'logoff') { $actTool = 'logoff' } elseif ($data.op -eq 'disconnect') { $actTool = 'tsdiscon' } else {
            '##winrds:error bad_op 87'
            return
        }
        $live = @()
        foreach ($target in @($data.targets)) {
            Test-Identity -Target $target -Step 'guard'
            if ($script:verdict -eq 'match') { $live += $target }
        }
        if ($data.notice -and $live.Count -gt 0) {
            $grace = [int]$data.notice.grace_seconds
            $shown = $grace
            if ($shown -le 0) { $shown = 60 }
            $text = [string]$data.notice.text
            if ($data.notice.title) { $text = "$($data.notice.title)`r`n$text" }
            foreach ($target in $live) {
                Invoke-Tool -Step 'notice' -Tool 'msg' -Arguments "$([int]$target.id)$serverArgs /time:$shown /v $(ConvertTo-Argument $text)" -Id ([int]$target.id)
            }
            if ($grace -gt 0) { Start-Sleep -Seconds $grace }
            $checked = @()
            foreach ($target in $live) {
                Test-Identity -Target $target -Step 'guard'
                if ($script:verdict -eq 'match') { $checked += $target }
            }
            $live = $checked
        }
        $acted = @()
        foreach ($target in $live) {
            Invoke-Tool -Step $actTool -Tool $actTool -Arguments "$([int]$target.id)$serverArgs /v" -Id ([int]$target.id)
            if ($script:lastRc -eq 0) { $acted += $target }
        }
        if ($data.op -eq 'logoff' -and $data.wait -and $acted.Count -gt 0) {
            # Every session was asked to log off; now they are waited for together, each until its logon is gone.
            $deadline = (Get-Date).AddSeconds([int]$data.timeout_seconds)
            $waiting = $acted
            $left = @{}
            while ($waiting.Count -gt 0) {
                $still = @()
                foreach ($target in $waiting) {
                    $run = Start-Tool -Tool 'query' -Arguments "user $([int]$target.id)$serverArgs"
                    $null = Complete-Tool -Run $run -Step 'probe' -Id ([int]$target.id)
                    $present = ($script:lastRc -eq 0 -and $script:lastHex.Contains(" $($target.user_hex) ") -and (-not $target.logon_hex -or $script:lastHex.Contains(" $($target.logon_hex) "))) -or ($script:lastRc -ne 0 -and -not (Test-Gone))
                    if ($present) { $still += $target } else { $left[[int]$target.id] = 'gone' }
                }
                $waiting = $still
                if ($waiting.Count -eq 0 -or (Get-Date) -ge $deadline) { break }
                Start-Sleep -Seconds 1
            }
            foreach ($target in $acted) {
                $verdict = 'timeout'
                if ($left[[int]$target.id]) { $verdict = 'gone' }
                "##winrds:begin wait $([int]$target.id)"
                "##winrds:end wait $([int]$target.id) rc=0 verdict=$verdict"
            }
        }
    }
}
