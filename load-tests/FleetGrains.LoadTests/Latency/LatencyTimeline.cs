using System.Globalization;
using System.Text;

namespace FleetGrains.LoadTests.Latency;

/// <summary>
/// The slowest call of each second of an open-loop run (by due time): where the percentiles say how often calls are
/// slow, this says when — a stall every few seconds, a queue growing for the whole run, or one bad moment.
/// </summary>
public sealed class LatencyTimeline
{
    private readonly Dictionary<int, TimeSpan> _slowest = [];

    public void Record(TimeSpan dueAfterStart, TimeSpan latency)
    {
        var second = (int)dueAfterStart.TotalSeconds;
        lock (_slowest)
        {
            if (!_slowest.TryGetValue(second, out var slowest) || latency > slowest)
            {
                _slowest[second] = latency;
            }
        }
    }

    /// <summary>One line: the slowest call's milliseconds for each second in order.</summary>
    public string Describe()
    {
        lock (_slowest)
        {
            var line = new StringBuilder();
            foreach (var (second, latency) in _slowest.OrderBy(s => s.Key))
            {
                line.Append(CultureInfo.InvariantCulture, $"{(line.Length == 0 ? "" : " ")}{second}s:{latency.TotalMilliseconds:0}");
            }

            return line.ToString();
        }
    }
}
