# What Windows' cmdlets do that PowerShell on Linux does otherwise, defined in every PowerShell the emulated host
# starts (host_policy.ps1 for WinRS commands, remoting_policy.ps1 for PowerShell remoting sessions; the engine puts
# this text where a policy has the line "# windows cmdlets"), before the language mode is set:
#   WINRDS_EMU_ADD_TYPE_ERROR an application-control policy that makes Add-Type fail in FullLanguage too (the
#                             compiler is blocked: ansible.windows#588, CS1504 under AppLocker)
# Start-Process with a redirected output behaves as on Windows: there PowerShell gives the program the files
# themselves as its standard output and error (CreateProcess with file handles, Process.cs outside #if UNIX), so
# the program's bytes reach them unchanged whatever [Console]::OutputEncoding is; PowerShell on Linux copies the
# output line by line as text instead.
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
