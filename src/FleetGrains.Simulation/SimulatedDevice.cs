namespace FleetGrains.Simulation;

/// <summary>
/// One simulated device. Its sensors follow a shared load (a daily pattern plus an AR(1) process, which
/// makes them correlated) with per-sensor baseline, gain and noise. The devices of a fleet are one kind of
/// machine: the sensor profile comes from the fleet id, and each device differs from it a little (±2 %
/// baseline, ±10 % noise scale). After its fault's onset the fault shapes the readings or silences the device.
/// </summary>
public sealed class SimulatedDevice
{
    private static readonly TimeSpan OutageEvery = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan OutageLength = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RepairTime = TimeSpan.FromSeconds(45);

    /// <summary>A degrading device fails this long after the degradation's onset.</summary>
    public static readonly TimeSpan FailureAfter = TimeSpan.FromSeconds(100);

    private readonly Random _random;
    private readonly double[] _baseline;
    private readonly double[] _scale;
    private readonly double[] _gain;
    private readonly double _phase;
    private double _ar;
    private float? _stuckValue;
    private int _spikeSamplesLeft;
    private TimeSpan _faultOnset;
    private TimeSpan? _failedAt;

    public SimulatedDevice(string fleetId, string deviceId, int features, FaultKind fault, TimeSpan faultOnset, int seed)
    {
        FleetId = fleetId;
        DeviceId = deviceId;
        Fault = fault;
        _faultOnset = faultOnset;
        _random = new Random(seed);
        var profile = new Random(StableSeed(fleetId));
        _baseline = new double[features];
        _scale = new double[features];
        _gain = new double[features];
        for (var i = 0; i < features; i++)
        {
            _baseline[i] = (10 + (90 * profile.NextDouble())) * (1 + (0.02 * ((2 * _random.NextDouble()) - 1)));
            _scale[i] = (0.5 + (2 * profile.NextDouble())) * (1 + (0.1 * ((2 * _random.NextDouble()) - 1)));
            _gain[i] = (profile.NextDouble() < 0.2 ? -1 : 1) * (0.5 + profile.NextDouble());
        }

        _phase = _random.NextDouble();
        FaultFeature = _random.Next(features);
    }

    public string FleetId { get; }

    public string DeviceId { get; }

    public FaultKind Fault { get; }

    /// <summary>The sensor a single-sensor fault (spikes, drift, stuck) affects.</summary>
    public int FaultFeature { get; }

    public int Features => _baseline.Length;

    /// <summary>Whether the device sends nothing at <paramref name="elapsed"/> (an outage, or failed and awaiting repair).</summary>
    public bool IsSilent(TimeSpan elapsed)
    {
        if (Fault == FaultKind.Outages && elapsed >= _faultOnset)
        {
            return (elapsed - _faultOnset).Ticks % OutageEvery.Ticks < OutageLength.Ticks;
        }

        if (_failedAt is { } failedAt)
        {
            if (elapsed < failedAt + RepairTime)
            {
                return true;
            }

            // Repaired: healthy again until the next degradation sets in.
            _failedAt = null;
            _faultOnset = elapsed + TimeSpan.FromSeconds(60 + (60 * _random.NextDouble()));
        }

        return false;
    }

    /// <summary>The readings at <paramref name="elapsed"/> since the simulation started.</summary>
    public float[] Next(TimeSpan elapsed, TimeSpan dayLength)
    {
        var daily = Math.Sin(2 * Math.PI * ((elapsed / dayLength) + _phase));
        _ar = (0.9 * _ar) + (0.3 * Gaussian());
        var load = (0.4 * daily) + _ar;
        var values = new float[Features];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = (float)(_baseline[i] + (_scale[i] * ((_gain[i] * load) + (0.5 * Gaussian()))));
        }

        if (elapsed >= _faultOnset)
        {
            ApplyFault(values, (elapsed - _faultOnset).TotalSeconds, elapsed);
        }

        return values;
    }

    private void ApplyFault(float[] values, double sinceOnset, TimeSpan elapsed)
    {
        var f = FaultFeature;
        switch (Fault)
        {
            case FaultKind.Spikes:
                if (_spikeSamplesLeft == 0 && _random.NextDouble() < 0.01)
                {
                    _spikeSamplesLeft = 5;
                }

                if (_spikeSamplesLeft > 0)
                {
                    _spikeSamplesLeft--;
                    values[f] += (float)(12 * _scale[f]);
                }

                break;
            case FaultKind.Drift:
                values[f] += (float)(0.5 * _scale[f] * sinceOnset);
                break;
            case FaultKind.Stuck:
                _stuckValue ??= values[f];
                values[f] = _stuckValue.Value;
                break;
            case FaultKind.Degradation:
                var wear = 0.08 * (Math.Exp(sinceOnset / 20) - 1);
                for (var i = 0; i < Math.Min(3, values.Length); i++)
                {
                    values[i] += (float)(wear * _scale[i]);
                }

                if (sinceOnset >= FailureAfter.TotalSeconds)
                {
                    _failedAt = elapsed;
                }

                break;
        }
    }

    // FNV-1a over the UTF-16 code units: string.GetHashCode() differs between processes.
    private static int StableSeed(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private double Gaussian()
    {
        // Box-Muller
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
