using FleetGrains.Cli;
using FleetGrains.Silo.Tests;

namespace FleetGrains.Cli.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class CliKeyTests : WithTemporaryFolder
{
    [Fact]
    public void TheOptionComesFirst_ThenTheVariable_ThenTheFile()
    {
        var file = KeyFile("from-file", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var environment = new Dictionary<string, string?> { [CliKey.KeyVariable] = "from-variable", [CliKey.FileVariable] = file };

        Assert.Equal("from-option", CliKey.Resolve(CommandLine.Parse(["--key", "from-option", "fleets"]), environment.GetValueOrDefault));
        Assert.Equal("from-variable", CliKey.Resolve(CommandLine.Parse(["fleets"]), environment.GetValueOrDefault));
        environment.Remove(CliKey.KeyVariable);
        Assert.Equal("from-file", CliKey.Resolve(CommandLine.Parse(["fleets"]), environment.GetValueOrDefault));
    }

    [Fact]
    public void AKeyFileOthersCanRead_IsRefused()
    {
        var file = KeyFile("secret", UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var refused = Assert.Throws<ArgumentException>(() => CliKey.Resolve(CommandLine.Parse(["fleets"]), name => name == CliKey.FileVariable ? file : null));

        Assert.Contains($"chmod 600 {file}", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAKey_TheApiSays401_AndFleetctlExits1WithTheReason()
    {
        await using var host = await SiloHost.StartAsync();
        using var http = new HttpClient();
        var error = new StringWriter();

        var exit = await FleetCtl.RunAsync(["--url", host.BaseAddress.ToString(), "--key", "fgk_0000000000000000_notakeynotakeynotakeynotakeynotakeynotakey0", "fleets"], http, new StringWriter(), error);

        Assert.Equal(1, exit);
        Assert.Contains("401 Unauthorized: The API key is not known.", error.ToString(), StringComparison.Ordinal);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private string KeyFile(string key, UnixFileMode mode)
    {
        var file = Path.Combine(Folder, "key");
        File.WriteAllText(file, key + "\n");
        File.SetUnixFileMode(file, mode);
        return file;
    }
}
