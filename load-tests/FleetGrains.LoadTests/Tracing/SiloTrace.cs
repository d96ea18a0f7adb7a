using System.Text;

namespace FleetGrains.LoadTests.Tracing;

/// <summary>
/// The runtime's own event trace (EventPipe, the format <c>dotnet-trace</c> writes) of a silo process: its
/// garbage collections and allocation samples, streamed to <see cref="Path"/> and complete once the process has stopped.
/// Started through the runtime's environment variables, so no tool needs to attach.
/// </summary>
public sealed class SiloTrace
{
    // Runtime provider at Verbose (5), keywords GC (0x1): collections, suspensions and an allocation sample every
    // ~100 KB (GCAllocationTick) with its type and stack; Loader (0x8) and JIT (0x10): the method loads that name the
    // stacks' frames.
    private const string Providers = "Microsoft-Windows-DotNETRuntime:0x19:5";

    private SiloTrace(string path) => Path = path;

    public string Path { get; }

    /// <summary>A trace of the run named <paramref name="run"/> into <paramref name="directory"/>; null when <paramref name="directory"/> is null.</summary>
    public static SiloTrace? In(string? directory, string run)
    {
        if (directory is null)
        {
            return null;
        }

        Directory.CreateDirectory(directory);
        var name = new StringBuilder();
        foreach (var c in run.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        }

        return new SiloTrace(System.IO.Path.Combine(System.IO.Path.GetFullPath(directory), $"{name}.nettrace"));
    }

    /// <summary>The environment variables that make the silo process write this trace.</summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOTNET_EnableEventPipe"] = "1",
        ["DOTNET_EventPipeOutputPath"] = Path,
        ["DOTNET_EventPipeConfig"] = Providers,
        ["DOTNET_EventPipeOutputStreaming"] = "1",
    };

    /// <summary>Reads the trace the (now exited) silo of <paramref name="run"/> wrote and prints its summary; nothing when not tracing.</summary>
    public static async Task ReportAsync(SiloTrace? trace, string run, TextWriter progress)
    {
        if (trace is not null)
        {
            await progress.WriteLineAsync(GcTraceSummary.Read(trace.Path).ToMarkdown(run));
            await progress.WriteLineAsync(AllocationSites.Read(trace.Path).ToMarkdown());
        }
    }
}
