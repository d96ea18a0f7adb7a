using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FleetGrains.Ingestion;

/// <summary>
/// A batch's valid events grouped by device and by width (number of values), as positions in the batch: one group per
/// device and width, in the order of each group's first event, and a device's groups chained in that order (a device
/// takes the width it knows, or the first it is sent). Every array is rented from the shared pool, so that grouping a
/// batch makes no list or dictionary per device; <see cref="Dispose"/> gives them back.
/// </summary>
public sealed class DeviceGroups : IDisposable
{
    // Only used while events are added, which happens on one thread without awaiting: one dictionary per thread,
    // emptied before and after use, instead of a new one (and its growth) per batch.
    [ThreadStatic]
    private static Dictionary<(string FleetId, string DeviceId), int>? t_deviceIndex;

    private readonly int[] _groupOfPosition; // -1: not a valid event
    private readonly int _positions;
    private int[] _groupFeatures;
    private int[] _groupCount;
    private int[] _groupStart;
    private int[] _groupNext; // the device's next group (another width), or -1
    private int[] _deviceFirstGroup;
    private (string FleetId, string DeviceId)[] _deviceIds;
    private int[] _sorted = [];
    private Dictionary<(string FleetId, string DeviceId), int>? _deviceIndex;
    private bool _disposed;

    /// <summary>Groups for a batch of <paramref name="positions"/> events; add the valid ones, then <see cref="Seal"/>.</summary>
    public DeviceGroups(int positions)
    {
        _positions = positions;
        _groupOfPosition = ArrayPool<int>.Shared.Rent(Math.Max(positions, 1));
        _groupOfPosition.AsSpan(0, positions).Fill(-1);
        var guess = Math.Clamp(positions / 8, 4, Math.Max(positions, 4));
        _groupFeatures = ArrayPool<int>.Shared.Rent(guess);
        _groupCount = ArrayPool<int>.Shared.Rent(guess);
        _groupNext = ArrayPool<int>.Shared.Rent(guess);
        _groupStart = [];
        _deviceFirstGroup = ArrayPool<int>.Shared.Rent(guess);
        _deviceIds = ArrayPool<(string, string)>.Shared.Rent(guess);
        _deviceIndex = t_deviceIndex ?? new();
        t_deviceIndex = null; // this batch's until sealed, even if a batch on the same thread started meanwhile
        _deviceIndex.Clear();
    }

    public int Devices { get; private set; }

    public int Groups { get; private set; }

    /// <summary>The valid events added.</summary>
    public int Samples { get; private set; }

    /// <summary>The values of the valid events added.</summary>
    public long Values { get; private set; }

    /// <summary>Adds the valid event at <paramref name="position"/> of the batch, of device <paramref name="deviceId"/>, with <paramref name="features"/> values.</summary>
    public void Add(int position, string fleetId, string deviceId, int features)
    {
        var index = _deviceIndex ?? throw new InvalidOperationException("The groups are sealed: no events can be added.");
        ref var device = ref CollectionsMarshal.GetValueRefOrAddDefault(index, (fleetId, deviceId), out var known);
        int group;
        if (!known)
        {
            device = Devices;
            Grow(ref _deviceFirstGroup, Devices);
            Grow(ref _deviceIds, Devices);
            _deviceIds[Devices] = (fleetId, deviceId);
            group = NewGroup(features);
            _deviceFirstGroup[Devices++] = group;
        }
        else
        {
            group = _deviceFirstGroup[device];
            while (_groupFeatures[group] != features)
            {
                if (_groupNext[group] < 0)
                {
                    var added = NewGroup(features); // before indexing: a new group may grow (replace) the array
                    _groupNext[group] = added;
                }

                group = _groupNext[group];
            }
        }

        _groupOfPosition[position] = group;
        _groupCount[group]++;
        Samples++;
        Values += features;
    }

    /// <summary>Orders the positions by group (each group's in batch order); after this, groups can be read and no events added.</summary>
    public void Seal()
    {
        if (_deviceIndex is null)
        {
            return;
        }

        _deviceIndex.Clear();
        t_deviceIndex = _deviceIndex;
        _deviceIndex = null;
        _groupStart = ArrayPool<int>.Shared.Rent(Math.Max(Groups, 1));
        var start = 0;
        for (var group = 0; group < Groups; group++)
        {
            _groupStart[group] = start;
            start += _groupCount[group];
        }

        _sorted = ArrayPool<int>.Shared.Rent(Math.Max(Samples, 1));
        var next = ArrayPool<int>.Shared.Rent(Math.Max(Groups, 1));
        _groupStart.AsSpan(0, Groups).CopyTo(next);
        for (var position = 0; position < _positions; position++)
        {
            if (_groupOfPosition[position] is var group and >= 0)
            {
                _sorted[next[group]++] = position;
            }
        }

        ArrayPool<int>.Shared.Return(next);
    }

    public (string FleetId, string DeviceId) DeviceIds(int device) => _deviceIds[device];

    /// <summary>The device's first group; its others follow through <see cref="NextOf"/>.</summary>
    public int FirstGroupOf(int device) => _deviceFirstGroup[device];

    /// <summary>The device's next group after <paramref name="group"/> (another width), or -1.</summary>
    public int NextOf(int group) => _groupNext[group];

    public int FeaturesOf(int group) => _groupFeatures[group];

    /// <summary>The batch positions of the group's events, in batch order (after <see cref="Seal"/>).</summary>
    public ArraySegment<int> PositionsOf(int group) => new(_sorted, _groupStart[group], _groupCount[group]);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_deviceIndex is not null)
        {
            _deviceIndex.Clear(); // never sealed (a validation threw): the dictionary is not handed back, the arrays are
            _deviceIndex = null;
        }

        ArrayPool<int>.Shared.Return(_groupOfPosition);
        ArrayPool<int>.Shared.Return(_groupFeatures);
        ArrayPool<int>.Shared.Return(_groupCount);
        ArrayPool<int>.Shared.Return(_groupNext);
        ArrayPool<int>.Shared.Return(_deviceFirstGroup);
        ArrayPool<(string, string)>.Shared.Return(_deviceIds, clearArray: true);
        if (_groupStart.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_groupStart);
        }

        if (_sorted.Length > 0)
        {
            ArrayPool<int>.Shared.Return(_sorted);
        }

        (_groupFeatures, _groupCount, _groupNext, _deviceFirstGroup, _deviceIds, _groupStart, _sorted) = ([], [], [], [], [], [], []);
    }

    private int NewGroup(int features)
    {
        Grow(ref _groupFeatures, Groups);
        Grow(ref _groupCount, Groups);
        Grow(ref _groupNext, Groups);
        _groupFeatures[Groups] = features;
        _groupCount[Groups] = 0;
        _groupNext[Groups] = -1;
        return Groups++;
    }

    private static void Grow<T>(ref T[] array, int needed)
    {
        if (needed < array.Length)
        {
            return;
        }

        var grown = ArrayPool<T>.Shared.Rent(Math.Max(needed + 1, array.Length * 2));
        array.AsSpan().CopyTo(grown);
        ArrayPool<T>.Shared.Return(array, clearArray: RuntimeHelpers.IsReferenceOrContainsReferences<T>());
        array = grown;
    }
}
