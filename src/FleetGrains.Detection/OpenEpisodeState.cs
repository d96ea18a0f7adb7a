namespace FleetGrains.Detection;

/// <summary>
/// An open alarm episode as its detector follows it: where it started, its peak, how long it has lasted, the run of
/// clear scores that may end it, and its newest scores (as many as a calibration takes) for a new normal.
/// </summary>
[GenerateSerializer]
internal sealed class OpenEpisodeState
{
    [Id(0)] private readonly float[] _recent;
    [Id(1)] private int _recentNext;
    [Id(2)] private int _recentCount;

    /// <param name="scoresBefore">Scores of the opening run before the one passed to <see cref="Add"/> next (counted, not kept).</param>
    public OpenEpisodeState(long start, float peak, long peakAt, int scoresBefore, long lastUnclearAt, int recentCapacity)
    {
        (Start, Peak, PeakAt, Length, LastUnclearAt) = (start, peak, peakAt, scoresBefore, lastUnclearAt);
        _recent = new float[recentCapacity];
    }

    [Id(3)] public long Start { get; private set; }

    [Id(4)] public float Peak { get; private set; }

    [Id(5)] public long PeakAt { get; private set; }

    /// <summary>Scores since the start, saturating (a pinned threshold's episode has no length limit).</summary>
    [Id(6)] public int Length { get; private set; }

    [Id(7)] public int ClearRun { get; set; }

    [Id(8)] public long LastUnclearAt { get; set; }

    public void Add(float score, long at)
    {
        Length = Length == int.MaxValue ? Length : Length + 1;
        if (score > Peak)
        {
            (Peak, PeakAt) = (score, at);
        }

        _recent[_recentNext] = score;
        _recentNext = (_recentNext + 1) % _recent.Length;
        _recentCount = Math.Min(_recentCount + 1, _recent.Length);
    }

    public ReadOnlySpan<float> Newest() => _recent.AsSpan(0, _recentCount);
}
