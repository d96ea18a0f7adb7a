using FleetGrains.Training.Data;

namespace FleetGrains.Cli;

/// <summary>How the commands that run on this machine (eval, train, replay) report failures: exit 2 for a bad command line, 1 for unusable data or a failing server.</summary>
public static class LocalCommand
{
    public static async Task<int> RunAsync(TextWriter error, Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is DataFormatException or FleetApiException)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 1;
        }
    }
}
