using System.Buffers;

namespace FleetGrains.Abstractions;

/// <summary>
/// The outputs of one model run in memory rented from the shared array pool, shared by the run's results (one per
/// request). Each holder releases its result once it has read it (<see cref="ScoringResult.Release"/>); the memory goes
/// back when the last one did. A result that is never released (its caller gave up, or it left the silo serialized)
/// leaves its memory to the garbage collector, as any array.
/// </summary>
public sealed class PooledRunOutput
{
    private float[]? _values;
    private float[]? _featureErrors;
    private int _holders;

    public PooledRunOutput(int rows, int featureErrors, int holders)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(featureErrors);
        ArgumentOutOfRangeException.ThrowIfLessThan(holders, 1);
        _values = ArrayPool<float>.Shared.Rent(rows);
        _featureErrors = featureErrors == 0 ? [] : ArrayPool<float>.Shared.Rent(featureErrors);
        _holders = holders;
    }

    /// <summary>Room for one value per row (score or RUL), at least as many as the run's rows.</summary>
    public float[] Values => _values ?? throw new ObjectDisposedException(nameof(PooledRunOutput));

    /// <summary>Room for the per-feature errors of every row (autoencoders).</summary>
    public float[] FeatureErrors => _featureErrors ?? throw new ObjectDisposedException(nameof(PooledRunOutput));

    internal void Release()
    {
        if (Interlocked.Decrement(ref _holders) != 0)
        {
            return;
        }

        ArrayPool<float>.Shared.Return(Interlocked.Exchange(ref _values, null)!);
        if (Interlocked.Exchange(ref _featureErrors, null) is { Length: > 0 } errors)
        {
            ArrayPool<float>.Shared.Return(errors);
        }
    }
}
