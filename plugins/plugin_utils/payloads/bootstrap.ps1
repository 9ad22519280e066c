# winrds bootstrap v1: the only script that ever appears on a command line (as -EncodedCommand).
# stdin line 1 is the payload's JSON input, the remaining lines are the payload script.
$ErrorActionPreference = 'Stop'
$lines = @($input)
$script = [ScriptBlock]::Create(($lines[1..($lines.Count - 1)] -join "`n"))
& $script $lines[0]
