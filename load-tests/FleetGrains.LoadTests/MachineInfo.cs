using System.Runtime.InteropServices;

namespace FleetGrains.LoadTests;

/// <summary>The machine a figure was measured on, printed beside it.</summary>
public static class MachineInfo
{
    public static string Describe() =>
        $"{Environment.ProcessorCount} cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}
