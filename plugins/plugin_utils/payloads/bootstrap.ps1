# winrds bootstrap v1: the only script that ever appears on a command line (as -EncodedCommand).
# stdin line 1 is the payload's JSON input, the remaining lines are the payload script. Invoke-Expression,
# not [ScriptBlock]::Create, so that the bootstrap also starts in ConstrainedLanguage mode, where method calls
# on ScriptBlock are refused; the payload reads its input from $WinrdsInput.
$ErrorActionPreference = 'Stop'
$lines = @($input)
$WinrdsInput = $lines[0]
Invoke-Expression -Command ($lines[1..($lines.Count - 1)] -join "`n")
