# What a Windows host does to the runspace of every PowerShell remoting session before the client's first pipeline.
# The emulated host starts its PowerShell remoting server (pwsh -s) with this script as the initial command, which
# PowerShell runs in the pool's runspace when it opens it:
#   WINRDS_EMU_CONSOLE_CODEPAGE  the code page of [Console]::OutputEncoding, with which PowerShell reads native
#                                programs' output: the remoting host process of Windows has no console, and .NET
#                                then falls back to the ANSI code page (PowerShell/PowerShell#15128)
#   WINRDS_EMU_ADD_TYPE_ERROR    read by windows_cmdlets.ps1 (Add-Type and Start-Process as on Windows), put in at
#                                the line "# windows cmdlets"
#   WINRDS_EMU_LANGUAGE_MODE     the language mode a system lockdown policy (AppLocker, WDAC) imposes on remote
#                                sessions as on local ones; set last, so the lines above run in FullLanguage
if ($env:WINRDS_EMU_CONSOLE_CODEPAGE) {
    [Console]::OutputEncoding = [Text.Encoding]::GetEncoding([int]$env:WINRDS_EMU_CONSOLE_CODEPAGE)
}
# windows cmdlets
if ($env:WINRDS_EMU_LANGUAGE_MODE) {
    $ExecutionContext.SessionState.LanguageMode = $env:WINRDS_EMU_LANGUAGE_MODE
}
