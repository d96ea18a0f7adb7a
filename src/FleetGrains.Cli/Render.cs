using FleetGrains.Abstractions;
using FleetGrains.Ingestion.DeadLetters;
using FleetGrains.Ingestion.Sources;

namespace FleetGrains.Cli;

/// <summary>How each command's answer is printed for a person.</summary>
internal static class Render
{
    private static readonly HealthState[] States = Enum.GetValues<HealthState>();

    public static async Task FleetsAsync(FleetApiClient client, string path, TextWriter output)
    {
        var fleets = await client.GetAsync<FleetSummary[]>(path);
        if (fleets.Length == 0)
        {
            await output.WriteLineAsync("No fleets yet: no device has reported.");
            return;
        }

        var table = new TableWriter([.. new[] { "FLEET", "DEVICES" }.Concat(States.Select(s => s.ToString().ToUpperInvariant())), "LAST UPDATE"]);
        foreach (var fleet in fleets)
        {
            table.Add([fleet.FleetId, fleet.DeviceCount.ToString(), .. States.Select(s => fleet.Counts.GetValueOrDefault(s).ToString()), FleetCtl.Format(fleet.LastUpdated)]);
        }

        table.WriteTo(output);
    }

    public static async Task FleetAsync(FleetApiClient client, string path, TextWriter output)
    {
        var fleet = await client.GetAsync<FleetRollup>(path);
        await output.WriteLineAsync($"Fleet {fleet.FleetId}: {fleet.DeviceCount} devices, last update {FleetCtl.Format(fleet.LastUpdated)}");
        await output.WriteLineAsync(string.Join("  ", States.Select(s => $"{s}: {fleet.Counts.GetValueOrDefault(s)}")));
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Worst devices (score relative to each device's own threshold):");
        StatusTable(fleet.Worst).WriteTo(output);
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Offline devices: {fleet.OfflineCount}");
        if (fleet.Offline.Count > 0)
        {
            StatusTable(fleet.Offline).WriteTo(output);
        }
    }

    public static async Task SourcesAsync(FleetApiClient client, string path, TextWriter output)
    {
        var report = await client.GetAsync<SourcesReport>(path);
        await output.WriteLineAsync($"Answered by silo {report.Silo}");
        var counters = new TableWriter("SOURCE", "ACCEPTED", "DUPLICATES", "DEAD-LETTERED", "RETRIED", "THIS SILO ACCEPTED");
        foreach (var c in report.Counters)
        {
            var mine = report.ThisSilo.FirstOrDefault(t => t.Source == c.Source)?.Accepted ?? 0;
            counters.Add(c.Source, c.Accepted.ToString(), c.Duplicates.ToString(), c.DeadLettered.ToString(), c.Retried.ToString(), mine.ToString());
        }

        counters.WriteTo(output);
        if (report.Partitions is { } partitions)
        {
            await output.WriteLineAsync();
            var table = new TableWriter("PARTITION", "STREAM", "OWNER", "LENGTH", "LAG", "PENDING");
            foreach (var p in partitions)
            {
                table.Add(p.Partition.ToString(), p.Stream, p.Owner ?? "(none)", p.Length.ToString(), p.Lag?.ToString() ?? "?", p.Pending.ToString());
            }

            table.WriteTo(output);
        }

        if (report.Kafka is { } kafka)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Kafka partitions read by silo {report.Silo}:");
            var table = new TableWriter("TOPIC", "PARTITION", "COMMITTED", "HIGH", "LAG");
            foreach (var p in kafka)
            {
                table.Add(p.Topic, p.Partition.ToString(), p.Committed?.ToString() ?? "?", p.High?.ToString() ?? "?", p.Lag?.ToString() ?? "?");
            }

            table.WriteTo(output);
        }

        if (report.EventHubs is { } eventHubs)
        {
            await output.WriteLineAsync();
            await output.WriteLineAsync($"Event Hubs partitions read by silo {report.Silo}:");
            var table = new TableWriter("EVENT HUB", "PARTITION", "CHECKPOINTED", "LAST ENQUEUED", "LAG");
            foreach (var p in eventHubs)
            {
                table.Add(p.EventHub, p.Partition, p.Checkpointed?.ToString() ?? "?", p.LastEnqueued?.ToString() ?? "?", p.Lag?.ToString() ?? "?");
            }

            table.WriteTo(output);
        }
    }

    public static async Task DeadLettersAsync(FleetApiClient client, string path, TextWriter output)
    {
        var letters = await client.GetAsync<DeadLetter[]>(path);
        if (letters.Length == 0)
        {
            await output.WriteLineAsync("No dead letters.");
            return;
        }

        var table = new TableWriter("AT", "SOURCE", "POSITION", "REASON", "PAYLOAD");
        foreach (var letter in letters)
        {
            var payload = letter.Payload.ReplaceLineEndings(" ");
            table.Add(FleetCtl.Format(letter.At), letter.Source, letter.Position, letter.Reason, payload.Length <= 60 ? payload : string.Concat(payload.AsSpan(0, 59), "…"));
        }

        table.WriteTo(output);
    }

    public static async Task AuditAsync(FleetApiClient client, string path, TextWriter output)
    {
        var entries = await client.GetAsync<AuditView[]>(path);
        if (entries.Length == 0)
        {
            await output.WriteLineAsync("No audit entries.");
            return;
        }

        var table = new TableWriter("AT", "ACTOR", "ACTION", "FLEET", "DEVICE", "TARGET", "CHANGED");
        foreach (var e in entries)
        {
            var change = Changed(e.Before, e.After);
            table.Add(FleetCtl.Format(e.At), $"{e.Actor} ({e.ActorName})", e.Action, e.FleetId, e.DeviceId, e.Target,
                change.Length <= 100 ? change : string.Concat(change.AsSpan(0, 99), "…"));
        }

        table.WriteTo(output);
    }

    // What differs: "field: before → after" for each field of two objects that changed, else the two values whole.
    private static string Changed(System.Text.Json.JsonElement? before, System.Text.Json.JsonElement? after)
    {
        if (before is { ValueKind: System.Text.Json.JsonValueKind.Object } b && after is { ValueKind: System.Text.Json.JsonValueKind.Object } a)
        {
            var fields = b.EnumerateObject().Select(p => p.Name).Union(a.EnumerateObject().Select(p => p.Name));
            return string.Join("; ", fields
                .Select(f => (Name: f, Before: b.TryGetProperty(f, out var x) ? x.GetRawText() : "-", After: a.TryGetProperty(f, out var y) ? y.GetRawText() : "-"))
                .Where(f => f.Before != f.After)
                .Select(f => $"{f.Name}: {f.Before} → {f.After}"));
        }

        return $"{before?.GetRawText() ?? "-"} → {after?.GetRawText() ?? "-"}";
    }

    private sealed record AuditView(
        DateTimeOffset At, string Actor, string ActorName, string Action, string? FleetId, string? DeviceId, string? Target,
        System.Text.Json.JsonElement? Before, System.Text.Json.JsonElement? After);

    public static async Task DevicesAsync(FleetApiClient client, string path, TextWriter output)
    {
        var page = await client.GetAsync<DevicePage>(path);
        StatusTable(page.Devices).WriteTo(output);
        await output.WriteLineAsync($"{page.Devices.Count} of {page.Total} devices from offset {page.Offset}");
    }

    public static async Task DeviceAsync(FleetApiClient client, string path, TextWriter output)
    {
        var device = await client.GetAsync<DeviceSnapshot>(path);
        var threshold = device.Threshold;
        var thresholdText = threshold.Effective is null
            ? $"calibrating ({threshold.CalibrationScores}/{threshold.CalibrationTarget} scores)"
            : $"{FleetCtl.Format(threshold.Effective)} ({(threshold.Pinned is null ? "learned" : $"pinned; learned {FleetCtl.Format(threshold.Learned)}")})";
        new TableWriter("FIELD", "VALUE")
            .Add("device", $"{device.FleetId}/{device.DeviceId}")
            .Add("health", device.Health.ToString())
            .Add("score", FleetCtl.Format(device.Score))
            .Add("threshold", thresholdText)
            .Add("last seen", FleetCtl.Format(device.LastSeen))
            .Add("last seq", device.LastSeq.ToString())
            .Add("window", $"{device.WindowSize} samples x {device.FeatureCount} features")
            .Add("events", $"{device.Counters.Accepted} accepted, {device.Counters.Duplicates} duplicates, {device.Counters.Rejected} rejected, {device.Counters.Scored} scored")
            .WriteTo(output);
        await output.WriteLineAsync();
        await output.WriteLineAsync("Top contributors:");
        var contributors = new TableWriter("FEATURE", "DEVIATION", "SHARE", "STUCK");
        foreach (var c in device.TopContributors)
        {
            contributors.Add(c.Feature.ToString(), FleetCtl.Format(c.Deviation), $"{c.Share:P0}", c.Stuck ? "yes" : "");
        }

        contributors.WriteTo(output);
    }

    private static TableWriter StatusTable(IEnumerable<DeviceStatus> devices)
    {
        var table = new TableWriter("DEVICE", "HEALTH", "SCORE", "THRESHOLD", "SEVERITY", "LAST SEEN");
        foreach (var d in devices)
        {
            table.Add(d.DeviceId, d.Health.ToString(), FleetCtl.Format(d.Score), FleetCtl.Format(d.Threshold), FleetCtl.Format(d.Severity), FleetCtl.Format(d.LastSeen));
        }

        return table;
    }
}
