using System.Text.Json;

namespace FleetGrains.Deploy.Tests;

/// <summary>
/// The silo images the image tests inspect, built offline (deploy/build-images.sh: a debootstrap base, files
/// published beforehand, deploy/Containerfile). test.sh builds them before the tests run, so that the build's load
/// does not meet the cluster tests', and names their tag in FLEET_IMAGE_TAG; without it they are built here under
/// a tag of their own and removed afterwards (the base stays).
/// </summary>
public sealed class Images : IAsyncLifetime
{
    private static readonly string? Prebuilt = Environment.GetEnvironmentVariable("FLEET_IMAGE_TAG") is { Length: > 0 } tag ? tag : null;

    public string Tag { get; } = Prebuilt ?? $"test-{Guid.NewGuid().ToString("N")[..8]}";

    public string Cpu => $"fleetgrains/silo:{Tag}";

    public string Gpu => $"fleetgrains/silo:{Tag}-gpu";

    private string Work { get; } = Path.Combine(Path.GetTempPath(), $"fleetgrains-images-{Guid.NewGuid():N}");

    public async Task InitializeAsync()
    {
        if (Prebuilt is not null)
        {
            return;
        }

        var (exitCode, output) = await RunAsync("bash", [Path.Combine(Helm.RepositoryRoot, "deploy", "build-images.sh"), Tag], TimeSpan.FromMinutes(20), ("FLEET_IMAGE_WORK", Work));
        Assert.True(exitCode == 0, $"deploy/build-images.sh failed:\n{output}");
    }

    public async Task DisposeAsync()
    {
        if (Prebuilt is not null)
        {
            return;
        }

        await RunAsync("podman", ["rmi", "--force", Cpu, Gpu], TimeSpan.FromMinutes(2));
        if (Directory.Exists(Work))
        {
            Directory.Delete(Work, recursive: true);
        }
    }

    /// <summary>The image's configuration as <c>podman image inspect</c> gives it.</summary>
    public static async Task<JsonElement> InspectAsync(string image)
    {
        var (exitCode, output) = await RunAsync("podman", ["image", "inspect", image], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output);
        return JsonDocument.Parse(output).RootElement[0];
    }

    /// <summary>Mounts the image's file system read-only and returns where; <see cref="UnmountAsync"/> after.</summary>
    public static async Task<string> MountAsync(string image)
    {
        var (exitCode, output) = await RunAsync("podman", ["image", "mount", image], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, output);
        return output.Trim();
    }

    public static Task UnmountAsync(string image) => RunAsync("podman", ["image", "unmount", image], TimeSpan.FromMinutes(1));

    private static Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, TimeSpan timeout, params (string Name, string Value)[] environment) =>
        ExternalProgram.RunAsync(program, arguments, timeout, environment);
}
