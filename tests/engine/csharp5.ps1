# Compile C# as Windows PowerShell 5.1's Add-Type does: C# 5, warnings as errors (warning level 4), with Roslyn
# from the running PowerShell. References: the .NET Framework reference assemblies in -Framework (mscorlib,
# System, System.Core: what a Windows Server 2016 host has), else the running .NET's own assemblies (then only
# the language version is checked, not which framework APIs exist). Prints one diagnostic per line, or nothing.
param([Parameter(Mandatory = $true)][string]$Source, [string]$Framework)
$ErrorActionPreference = 'Stop'
$dir = Split-Path ([psobject].Assembly.Location)
Add-Type -Path (Join-Path $dir 'Microsoft.CodeAnalysis.dll'), (Join-Path $dir 'Microsoft.CodeAnalysis.CSharp.dll')
$parse = [Microsoft.CodeAnalysis.CSharp.CSharpParseOptions]::new([Microsoft.CodeAnalysis.CSharp.LanguageVersion]::CSharp5)
$tree = [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText([IO.File]::ReadAllText($Source), $parse)
if ($Framework) {
    $paths = 'mscorlib.dll', 'System.dll', 'System.Core.dll' | ForEach-Object { Join-Path $Framework $_ }
} else {
    $paths = [AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES') -split [IO.Path]::PathSeparator
}
$references = [Collections.Generic.List[Microsoft.CodeAnalysis.MetadataReference]]::new()
foreach ($path in $paths) { $references.Add([Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile($path)) }
$options = [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary)
$options = $options.WithWarningLevel(4).WithGeneralDiagnosticOption([Microsoft.CodeAnalysis.ReportDiagnostic]::Error)
$compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create('WinRdsCheck', [Microsoft.CodeAnalysis.SyntaxTree[]]@($tree), $references, $options)
foreach ($diagnostic in $compilation.GetDiagnostics()) { $diagnostic.ToString() }
