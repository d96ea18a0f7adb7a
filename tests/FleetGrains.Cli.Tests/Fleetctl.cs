using FleetGrains.Cli;
using FleetGrains.Silo.Tests;

namespace FleetGrains.Cli.Tests;

/// <summary>Runs fleetctl in process, with the test silos' admin key, and captures what it printed.</summary>
internal static class Fleetctl
{
    public static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Add(CliKey.Header, SiloHost.AdminKey);
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FleetCtl.RunAsync(args, http, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}

/// <summary>A fresh folder under the system's temporary folder, deleted afterwards.</summary>
public abstract class WithTemporaryFolder : IDisposable
{
    protected string Folder { get; } = Directory.CreateTempSubdirectory("fleetgrains-test-").FullName;

    public void Dispose()
    {
        Directory.Delete(Folder, recursive: true);
        GC.SuppressFinalize(this);
    }
}
