# What a Windows host does to every PowerShell it starts, applied before the command runs. The emulated host starts
# pwsh with this script (as -EncodedCommand) instead of the command line it received, with:
#   WINRDS_EMU_COMMAND        the command itself: base64 of its UTF-16LE text, as -EncodedCommand carries it
#   WINRDS_EMU_LANGUAGE_MODE  the language mode a system lockdown policy (AppLocker, WDAC) imposes on the whole
#                             session; __PSLockdownPolicy has no effect on Linux, so the mode is set here, and only
#                             then the command is created and run, so every line of it runs in that mode
#   WINRDS_EMU_CODEPAGE       the console's code page: PowerShell reads and writes native programs' bytes with
#                             [Console]::OutputEncoding, which on Windows is the code page of the WinRS shell
# Add-Type and Start-Process behave as on Windows (windows_cmdlets.ps1, put in at the line "# windows cmdlets").
# The command's standard input reaches it as $input, as it would with -EncodedCommand.
$winrdsEmuInput = @($input)
$winrdsEmuCommand = [Text.Encoding]::Unicode.GetString([Convert]::FromBase64String($env:WINRDS_EMU_COMMAND))
Remove-Item -Path Env:WINRDS_EMU_COMMAND
if ($env:WINRDS_EMU_CODEPAGE) {
    $winrdsEmuEncoding = [Text.Encoding]::GetEncoding([int]$env:WINRDS_EMU_CODEPAGE)
    [Console]::OutputEncoding = $winrdsEmuEncoding
    [Console]::InputEncoding = $winrdsEmuEncoding
}
# windows cmdlets

if ($env:WINRDS_EMU_LANGUAGE_MODE) {
    $ExecutionContext.SessionState.LanguageMode = $env:WINRDS_EMU_LANGUAGE_MODE
}
Invoke-Expression ('$winrdsEmuInput | & {' + "`n" + $winrdsEmuCommand + "`n}")
