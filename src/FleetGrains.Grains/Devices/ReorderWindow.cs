namespace FleetGrains.Grains.Devices;

/// <summary>
/// Which of the <see cref="Size"/> sequence numbers up to a device's last applied one it has seen, so that a
/// sample arriving out of order (two silos sharing an MQTT subscription deliver a device's messages in
/// either order) is told apart from a replay. One bit per sequence number, indexed by seq modulo the size.
/// </summary>
/// <remarks>
/// Most devices send their seqs in order, one after the other: for them "seen" is every seq from the first one
/// on, which needs no bits. The bits are allocated at the first seq skipped or arriving late (a silo holds a
/// million devices; they are 56 bytes of each one's memory otherwise).
/// </remarks>
[GenerateSerializer]
public sealed class ReorderWindow
{
    [Id(0)] private ulong[]? _seen; // null while every seq from _seenFrom to the last one was seen
    [Id(1)] private int _size;
    [Id(2)] private long _seenFrom;

    /// <summary>A window in which nothing has been seen yet.</summary>
    public ReorderWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _size = SizeFor(size);
        _seenFrom = long.MaxValue;
    }

    public int Size => _seen is { } seen ? seen.Length * 64 : _size; // stored windows before _size had their bits

    /// <summary>The size a window asked for <paramref name="size"/> seqs has (whole 64-bit words).</summary>
    public static int SizeFor(int size) => ((size + 63) / 64) * 64;

    /// <summary>A window that counts every sequence number at or below the last as seen (state saved before windows existed).</summary>
    public static ReorderWindow AllSeen(int size) => new(size) { _seenFrom = long.MinValue };

    /// <summary>Whether <paramref name="seq"/> (below <paramref name="last"/>) is recent enough to tell and was not seen.</summary>
    public bool IsUnseenLate(long seq, long last) => seq > last - Size && !IsSet(seq);

    /// <summary>The last applied sequence number moves from <paramref name="previous"/> to <paramref name="seq"/>: the ones skipped are unseen.</summary>
    public void Advance(long previous, long seq)
    {
        if (previous < 0 || seq - previous >= Size)
        {
            // Nothing before seq is in the window and seen.
            (_size, _seen, _seenFrom) = (Size, null, seq);
            return;
        }

        if (_seen is null && seq == previous + 1)
        {
            return;
        }

        var seen = Bits(previous);
        for (var skipped = previous + 1; skipped < seq; skipped++)
        {
            Set(seen, skipped, false);
        }

        Set(seen, seq, true);
    }

    /// <summary>A late <paramref name="seq"/> was applied; <paramref name="last"/> is the last applied one.</summary>
    public void MarkSeen(long seq, long last)
    {
        if (!IsSet(seq))
        {
            Set(Bits(last), seq, true);
        }
    }

    private bool IsSet(long seq) => _seen is { } seen ? (seen[Bit(seq) >> 6] & (1UL << (Bit(seq) & 63))) != 0 : seq >= _seenFrom;

    // The bits, made from the seqs seen so far when there are none yet: those from _seenFrom to last in the window.
    private ulong[] Bits(long last)
    {
        if (_seen is { } seen)
        {
            return seen;
        }

        seen = new ulong[_size / 64];
        for (var seq = Math.Max(_seenFrom, last - _size + 1); seq <= last; seq++)
        {
            Set(seen, seq, true);
        }

        return _seen = seen;
    }

    private void Set(ulong[] seen, long seq, bool value)
    {
        var bit = Bit(seq);
        if (value)
        {
            seen[bit >> 6] |= 1UL << (bit & 63);
        }
        else
        {
            seen[bit >> 6] &= ~(1UL << (bit & 63));
        }
    }

    private int Bit(long seq) => (int)(((seq % Size) + Size) % Size);
}
