# winrds payload: native v1
# Runs the native Remote Desktop tools (chcp, query, logoff, tsdiscon, msg) for one operation and writes
# their output through, framed by ASCII lines, so that the controller can decode it with the code page that
# chcp reports in the same call. Works in ConstrainedLanguage mode: only cmdlets, native commands and
# operators on core types are used. Contract: docs/architecture.md, "native payload".

$ErrorActionPreference = 'Continue'
$data = ConvertFrom-Json -InputObject $WinrdsInput

# Text piped to msg.exe is encoded with $OutputEncoding, ASCII by default in Windows PowerShell 5.1; the console
# (OEM) code page keeps the characters msg can show. Restricted language modes refuse this: ASCII stays.
if ($ExecutionContext.SessionState.LanguageMode -eq 'FullLanguage') {
    try { $OutputEncoding = [Console]::OutputEncoding } catch { }
}

# A 32-bit PowerShell on a 64-bit Windows sees SysWOW64, where the session tools do not exist.
if ($env:PROCESSOR_ARCHITEW6432) { $toolDir = "$env:SystemRoot\Sysnative" } else { $toolDir = "$env:SystemRoot\System32" }
$tools = @{
    chcp     = "$toolDir\chcp.com"
    query    = "$toolDir\query.exe"
    logoff   = "$toolDir\logoff.exe"
    tsdiscon = "$toolDir\tsdiscon.exe"
    msg      = "$toolDir\msg.exe"
}

$serverArgs = @()
if ($data.server) {
    if ($data.server -notmatch '^[A-Za-z0-9][A-Za-z0-9._-]*$') {
        '##winrds:error bad_server 87'
        return
    }
    $serverArgs = @("/server:$($data.server)")
}

function Invoke-Tool {
    # Runs one tool and writes a frame: begin line, merged output, end line with rc and verdict.
    param([string]$Step, [string]$Tool, [object[]]$Arguments, $Id = $null, [string]$Stdin = $null)
    $label = $Step
    if ($null -ne $Id) { $label = "$Step $Id" }
    "##winrds:begin $label"
    if ($null -ne $Stdin) {
        $lines = @($Stdin | & $tools[$Tool] @Arguments 2>&1)
    } else {
        $lines = @(& $tools[$Tool] @Arguments 2>&1)
    }
    $rc = $LASTEXITCODE
    foreach ($line in $lines) { [string]$line }
    $script:lastLines = $lines
    $script:lastRc = $rc
    "##winrds:end $label rc=$rc"
}

function Test-Identity {
    # The session still holds the logon seen in the snapshot: a line of `query user <id>` shows both cells.
    # Writes the frame (call it as a statement, so that the frame reaches stdout) and leaves the verdict in
    # $script:verdict.
    param($Target, [string]$Step)
    $id = [int]$Target.id
    "##winrds:begin $Step $id"
    $lines = @(& $tools.query user $id @serverArgs 2>&1)
    $rc = $LASTEXITCODE
    foreach ($line in $lines) { [string]$line }
    $verdict = 'gone'
    if ($rc -eq 0) {
        $verdict = 'mismatch'
        foreach ($line in $lines) {
            $text = [string]$line
            $userOk = $text.Contains([string]$Target.user_cell)
            $logonOk = ($null -eq $Target.logon_cell) -or $text.Contains([string]$Target.logon_cell)
            if ($userOk -and $logonOk) { $verdict = 'match' }
        }
    }
    "##winrds:end $Step $id rc=$rc verdict=$verdict"
    $script:verdict = $verdict
}

Invoke-Tool -Step 'chcp' -Tool 'chcp' -Arguments @()

switch ($data.op) {
    'snapshot' {
        Invoke-Tool -Step 'query-session' -Tool 'query' -Arguments (@('session') + $serverArgs)
        Invoke-Tool -Step 'query-user' -Tool 'query' -Arguments (@('user') + $serverArgs)
    }
    'message' {
        foreach ($target in @($data.targets)) {
            $msgArgs = @([string][int]$target.id) + $serverArgs + @("/time:$([int]$data.timeout_seconds)", '/v')
            if ($data.wait_response) { $msgArgs += '/w' }
            $messageText = [string]$data.text
            if ($data.title) { $messageText = "$($data.title)`r`n$messageText" }
            Invoke-Tool -Step 'msg' -Tool 'msg' -Arguments $msgArgs -Id ([int]$target.id) -Stdin $messageText
        }
    }
    default {
        if ($data.op -eq 'logoff') { $actTool = 'logoff' } elseif ($data.op -eq 'disconnect') { $actTool = 'tsdiscon' } else {
            '##winrds:error bad_op 87'
            return
        }
        $targets = @($data.targets)
        $live = @()
        foreach ($target in $targets) {
            Test-Identity -Target $target -Step 'guard'
            if ($script:verdict -eq 'match') { $live += $target }
        }
        if ($data.notice -and $live.Count -gt 0) {
            $grace = [int]$data.notice.grace_seconds
            foreach ($target in $live) {
                $shown = $grace
                if ($shown -le 0) { $shown = 60 }
                $msgArgs = @([string][int]$target.id) + $serverArgs + @("/time:$shown", '/v')
                $noticeText = [string]$data.notice.text
                if ($data.notice.title) { $noticeText = "$($data.notice.title)`r`n$noticeText" }
                Invoke-Tool -Step 'notice' -Tool 'msg' -Arguments $msgArgs -Id ([int]$target.id) -Stdin $noticeText
            }
            if ($grace -gt 0) { Start-Sleep -Seconds $grace }
            $checked = @()
            foreach ($target in $live) {
                Test-Identity -Target $target -Step 'guard'
                if ($script:verdict -eq 'match') { $checked += $target }
            }
            $live = $checked
        }
        foreach ($target in $live) {
            $id = [int]$target.id
            Invoke-Tool -Step $actTool -Tool $actTool -Arguments (@([string]$id) + $serverArgs + @('/v')) -Id $id
            if ($script:lastRc -eq 0 -and $data.op -eq 'logoff' -and $data.wait) {
                $deadline = (Get-Date).AddSeconds([int]$data.timeout_seconds)
                $verdict = 'timeout'
                while ($true) {
                    $probe = @(& $tools.query user $id @serverArgs 2>&1)
                    $present = $false
                    if ($LASTEXITCODE -eq 0) {
                        foreach ($line in $probe) {
                            $text = [string]$line
                            if ($text.Contains([string]$target.user_cell)) { $present = $true }
                        }
                    }
                    if (-not $present) { $verdict = 'gone'; break }
                    if ((Get-Date) -ge $deadline) { break }
                    Start-Sleep -Seconds 1
                }
                "##winrds:begin wait $id"
                "##winrds:end wait $id rc=0 verdict=$verdict"
            }
        }
    }
}
