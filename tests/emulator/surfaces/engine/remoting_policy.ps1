# What a Windows host does to the runspace of every PowerShell remoting session before the client's first pipeline.
# The emulated host starts its PowerShell remoting server (pwsh -s) with this script as the initial command, which
# PowerShell runs in the pool's runspace when it opens it:
#   WINRDS_EMU_CONSOLE_CODEPAGE  the code page of [Console]::OutputEncoding, with which PowerShell reads native
#                                programs' output: the remoting host process of Windows has no console, and .NET
#                                then falls back to the ANSI code page (PowerShell/PowerShell#15128)
#   WINRDS_EMU_ADD_TYPE_ERROR    an application-control policy that makes Add-Type fail in FullLanguage too (the
#                                compiler is blocked: ansible.windows#588, CS1504 under AppLocker)
#   WINRDS_EMU_LANGUAGE_MODE     the language mode a system lockdown policy (AppLocker, WDAC) imposes on remote
#                                sessions as on local ones; set last, so the lines above run in FullLanguage
if ($env:WINRDS_EMU_CONSOLE_CODEPAGE) {
    [Console]::OutputEncoding = [Text.Encoding]::GetEncoding([int]$env:WINRDS_EMU_CONSOLE_CODEPAGE)
}
if ($env:WINRDS_EMU_ADD_TYPE_ERROR) {
    function global:Add-Type {
        throw [InvalidOperationException]::new($env:WINRDS_EMU_ADD_TYPE_ERROR)
    }
}
if ($env:WINRDS_EMU_LANGUAGE_MODE) {
    $ExecutionContext.SessionState.LanguageMode = $env:WINRDS_EMU_LANGUAGE_MODE
}
