namespace FleetGrains.Simulation;

/// <summary>
/// Histories of simulated devices to train a simulated fleet's models on: readings of healthy devices, and
/// devices that degrade from an onset until they fail. Readings come at <see cref="SamplesPerSecond"/>, the
/// simulator's default rate, so a RUL learned from them is in samples at that rate.
/// </summary>
public static class SimulatedHistories
{
    public const int SamplesPerSecond = 10;

    /// <summary>The day length of the simulator's default configuration.</summary>
    public static readonly TimeSpan DayLength = TimeSpan.FromMinutes(10);

    /// <summary><paramref name="seconds"/> of readings of each of <paramref name="devices"/> healthy devices, one after another.</summary>
    public static List<float[]> Healthy(string fleetId, int features, int devices, int seconds, int seed)
    {
        var rows = new List<float[]>(devices * seconds * SamplesPerSecond);
        for (var d = 0; d < devices; d++)
        {
            var device = new SimulatedDevice(fleetId, $"healthy-{d}", features, FaultKind.None, TimeSpan.MaxValue, seed + d);
            for (var i = 0; i < seconds * SamplesPerSecond; i++)
            {
                rows.Add(device.Next(TimeSpan.FromSeconds((double)i / SamplesPerSecond), DayLength));
            }
        }

        return rows;
    }

    /// <summary>
    /// One history per run: a device that starts healthy, degrades from an onset 10–60 s in, and fails
    /// <see cref="SimulatedDevice.FailureAfter"/> later; the last reading is the one before the failure.
    /// </summary>
    public static List<List<float[]>> RunsToFailure(string fleetId, int features, int runs, int seed)
    {
        var random = new Random(seed);
        var histories = new List<List<float[]>>(runs);
        for (var r = 0; r < runs; r++)
        {
            var onset = TimeSpan.FromSeconds(10 + (50 * random.NextDouble()));
            var device = new SimulatedDevice(fleetId, $"run-{r}", features, FaultKind.Degradation, onset, seed + 1000 + r);
            var history = new List<float[]>();
            for (var i = 0; ; i++)
            {
                var elapsed = TimeSpan.FromSeconds((double)i / SamplesPerSecond);
                if (device.IsSilent(elapsed))
                {
                    break;
                }

                history.Add(device.Next(elapsed, DayLength));
            }

            histories.Add(history);
        }

        return histories;
    }
}
