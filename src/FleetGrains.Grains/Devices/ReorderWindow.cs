namespace FleetGrains.Grains.Devices;

/// <summary>
/// Which of the <see cref="Size"/> sequence numbers up to a device's last applied one it has seen, so that a
/// sample arriving out of order (two silos sharing an MQTT subscription deliver a device's messages in
/// either order) is told apart from a replay. One bit per sequence number, indexed by seq modulo the size.
/// </summary>
[GenerateSerializer]
public sealed class ReorderWindow
{
    [Id(0)] private readonly ulong[] _seen;

    /// <summary>A window in which nothing has been seen yet.</summary>
    public ReorderWindow(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        _seen = new ulong[(size + 63) / 64];
    }

    public int Size => _seen.Length * 64;

    /// <summary>The size a window asked for <paramref name="size"/> seqs has (whole 64-bit words).</summary>
    public static int SizeFor(int size) => ((size + 63) / 64) * 64;

    /// <summary>A window that counts every sequence number at or below the last as seen (state saved before windows existed).</summary>
    public static ReorderWindow AllSeen(int size)
    {
        var window = new ReorderWindow(size);
        Array.Fill(window._seen, ulong.MaxValue);
        return window;
    }

    /// <summary>Whether <paramref name="seq"/> (below <paramref name="last"/>) is recent enough to tell and was not seen.</summary>
    public bool IsUnseenLate(long seq, long last) => seq > last - Size && !IsSet(seq);

    /// <summary>The last applied sequence number moves from <paramref name="previous"/> to <paramref name="seq"/>: the ones skipped are unseen.</summary>
    public void Advance(long previous, long seq)
    {
        if (previous < 0 || seq - previous >= Size)
        {
            Array.Clear(_seen);
        }
        else
        {
            for (var skipped = previous + 1; skipped < seq; skipped++)
            {
                Clear(skipped);
            }
        }

        MarkSeen(seq);
    }

    public void MarkSeen(long seq)
    {
        var bit = Bit(seq);
        _seen[bit >> 6] |= 1UL << (bit & 63);
    }

    private void Clear(long seq)
    {
        var bit = Bit(seq);
        _seen[bit >> 6] &= ~(1UL << (bit & 63));
    }

    private bool IsSet(long seq)
    {
        var bit = Bit(seq);
        return (_seen[bit >> 6] & (1UL << (bit & 63))) != 0;
    }

    private int Bit(long seq) => (int)(((seq % Size) + Size) % Size);
}
