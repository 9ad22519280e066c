# What a Windows host does to every PowerShell it starts, applied before the command runs. The emulated host starts
# pwsh with this script (as -EncodedCommand) instead of the command line it received, with:
#   WINRDS_EMU_COMMAND        the command itself: base64 of its UTF-16LE text, as -EncodedCommand carries it
#   WINRDS_EMU_LANGUAGE_MODE  the language mode a system lockdown policy (AppLocker, WDAC) imposes on the whole
#                             session; __PSLockdownPolicy has no effect on Linux, so the mode is set here, and only
#                             then the command is created and run, so every line of it runs in that mode
#   WINRDS_EMU_CODEPAGE       the console's code page: PowerShell reads and writes native programs' bytes with
#                             [Console]::OutputEncoding, which on Windows is the code page of the WinRS shell
#   WINRDS_EMU_ADD_TYPE_ERROR an application-control policy that makes Add-Type fail in FullLanguage too (the
#                             compiler is blocked: ansible.windows#588, CS1504 under AppLocker)
# Start-Process with a redirected output behaves as on Windows: there PowerShell gives the program the files
# themselves as its standard output and error (CreateProcess with file handles, Process.cs outside #if UNIX), so
# the program's bytes reach them unchanged; PowerShell on Linux copies the output line by line as text instead.
# The command's standard input reaches it as $input, as it would with -EncodedCommand.
$winrdsEmuInput = @($input)
$winrdsEmuCommand = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($env:WINRDS_EMU_COMMAND))
Remove-Item -Path Env:WINRDS_EMU_COMMAND
if ($env:WINRDS_EMU_CODEPAGE) {
    $winrdsEmuEncoding = [Text.Encoding]::GetEncoding([int]$env:WINRDS_EMU_CODEPAGE)
    [Console]::OutputEncoding = $winrdsEmuEncoding
    [Console]::InputEncoding = $winrdsEmuEncoding
}
if ($env:WINRDS_EMU_ADD_TYPE_ERROR) {
    function global:Add-Type {
        throw [InvalidOperationException]::new($env:WINRDS_EMU_ADD_TYPE_ERROR)
    }
}

function global:Start-Process {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string]$FilePath,
        [Parameter(Position = 1)][string[]]$ArgumentList,
        [string]$RedirectStandardOutput,
        [string]$RedirectStandardError,
        [switch]$NoNewWindow,
        [switch]$PassThru,
        [switch]$Wait
    )
    if (-not ($RedirectStandardOutput -or $RedirectStandardError)) {
        return Microsoft.PowerShell.Management\Start-Process @PSBoundParameters
    }
    $program = $FilePath -replace '\\', '/'
    if (-not (Test-Path -LiteralPath $program -PathType Leaf)) {
        throw [InvalidOperationException]::new('This command cannot be run due to the error: The system cannot find the file specified.')
    }
    # The program's own argument parsing is what Windows gives it (the command line split as CommandLineToArgvW
    # does, which .NET does for ProcessStartInfo.Arguments); sh only opens the two files for it.
    $start = [Diagnostics.ProcessStartInfo]::new('/bin/sh')
    $start.Arguments = '-c "exec \"$0\" \"$@\" >\"$WINRDS_EMU_OUT\" 2>\"$WINRDS_EMU_ERR\"" "' + $program + '" ' + ($ArgumentList -join ' ')
    $start.UseShellExecute = $false
    $start.Environment['WINRDS_EMU_OUT'] = if ($RedirectStandardOutput) { $RedirectStandardOutput } else { '/dev/null' }
    $start.Environment['WINRDS_EMU_ERR'] = if ($RedirectStandardError) { $RedirectStandardError } else { '/dev/null' }
    $process = [Diagnostics.Process]::Start($start)
    if ($Wait) { $process.WaitForExit() }
    if ($PassThru) { $process }
}

if ($env:WINRDS_EMU_LANGUAGE_MODE) {
    $ExecutionContext.SessionState.LanguageMode = $env:WINRDS_EMU_LANGUAGE_MODE
}
Invoke-Expression ('$winrdsEmuInput | & {' + "`n" + $winrdsEmuCommand + "`n}")
