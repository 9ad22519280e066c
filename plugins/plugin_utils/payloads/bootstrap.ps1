# winrds bootstrap v2
# The only script that ever appears on a command line: its code lines (this first line and every line that is
# not a comment) are sent as -EncodedCommand. stdin line 1 is the payload's JSON input, which the payload reads
# from $WinrdsInput; the other lines are the payload script: as text, or, when line 2 starts with "#deflate ",
# as the base64 of the script's raw DEFLATE stream (docs/architecture.md, "Standard input").
# Invoke-Expression, not [ScriptBlock]::Create, so that the bootstrap also starts in ConstrainedLanguage mode,
# where method calls on ScriptBlock are refused. Unpacking needs .NET streams, so FullLanguage; in any other
# mode the bootstrap prints one JSON object with the error kind "unpack_refused" and runs nothing.
# The mode is given as a CompressionMode value, not as the string 'Decompress': a string converts to both
# CompressionMode and CompressionLevel, and .NET Framework 4.5+ and .NET have a constructor for each, so
# PowerShell refuses the call as ambiguous.
$ErrorActionPreference = 'Stop'
$lines = @($input)
$WinrdsInput = $lines[0]
$s = $lines[1..($lines.Count - 1)] -join "`n"
$m = "$($ExecutionContext.SessionState.LanguageMode)"
if ($s -like '#deflate *') {
    if ($m -eq 'FullLanguage') {
        $z = New-Object IO.Compression.DeflateStream((New-Object IO.MemoryStream(, [Convert]::FromBase64String($s.Substring(9)))), ([IO.Compression.CompressionMode]::Decompress))
        $s = (New-Object IO.StreamReader($z)).ReadToEnd()
    } else {
        $s = ''
        ConvertTo-Json -Compress @{ payload = 'bootstrap'; computer = $env:COMPUTERNAME; language_mode = $m; error = @{ kind = 'unpack_refused' } }
    }
}
if ($s) { Invoke-Expression $s }
