using System.Globalization;
using System.Text.RegularExpressions;
using Amqp.Framing;
using Amqp.Types;

namespace FleetGrains.EventHubsDouble;

/// <summary>
/// Where a receiver starts, from its source's <c>apache.org:selector-filter:string</c> filter, e.g.
/// <c>amqp.annotation.x-opt-offset &gt; -1</c> (earliest), <c>… &gt; @latest</c>, <c>amqp.annotation.x-opt-sequence-number &gt;= 5</c>,
/// <c>amqp.annotation.x-opt-enqueued-time &gt; 1700000000000</c> (values quoted or not). No filter: the earliest event.
/// </summary>
public static partial class SelectorFilter
{
    public static readonly Symbol Key = new("apache.org:selector-filter:string");

    /// <summary>The index of the first event to deliver, or an error text for a filter the service would refuse.</summary>
    public static (long Index, string? Problem) StartIndex(Source? source, PartitionLog log)
    {
        if (source?.FilterSet?[Key] is not DescribedValue { Value: string expression })
        {
            return (0, null);
        }

        var match = Expression().Match(expression.Trim());
        if (!match.Success)
        {
            return (0, $"the selector filter '{expression}' is not understood");
        }

        var inclusive = match.Groups["op"].Value == ">=";
        var value = match.Groups["value"].Value;
        switch (match.Groups["field"].Value)
        {
            case "x-opt-offset" when value == "@latest":
                return (log.Count, null);
            case "x-opt-offset" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var offset):
                return (offset < 0 ? 0 : log.FirstAfterOffset(offset, inclusive), null);
            case "x-opt-sequence-number" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var sequence):
                return (Math.Max(0, inclusive ? sequence : sequence + 1), null);
            case "x-opt-enqueued-time" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds):
                return (log.FirstEnqueuedAfter(DateTime.UnixEpoch.AddMilliseconds(milliseconds)), null);
            default:
                return (0, $"the selector filter value '{value}' is not valid for {match.Groups["field"].Value}");
        }
    }

    [GeneratedRegex(@"^amqp\.annotation\.(?<field>x-opt-offset|x-opt-sequence-number|x-opt-enqueued-time)\s*(?<op>>=|>)\s*'?(?<value>[^']*)'?$")]
    private static partial Regex Expression();
}
