using System.Net;
using FleetGrains.Abstractions;
using FleetGrains.Ingestion;
using FleetGrains.Training.Data;

namespace FleetGrains.Cli.Through;

/// <summary>A device's anomaly scores and thresholds through the system, by row (NaN = not scored), and its state afterwards.</summary>
public sealed record SystemScores(float[] Scores, float[] Thresholds, DeviceSnapshot Device, string Scorer);

/// <summary>
/// Sends a history to a running FleetGrains through its ingestion API (<c>POST /api/telemetry</c>), as one
/// new device, row i with <c>seq</c> i, stamped one second apart and ending now; reads every scoring back
/// through the operator API (<c>GET /api/devices/{fleet}/{device}/scores</c>). It sends at most as many rows
/// at a time as the device keeps scorings, so none is lost before it is read.
/// </summary>
public sealed class SystemReplay(FleetApiClient api)
{
    public Task<FleetModelAssignment> ModelsAsync(string fleetId) =>
        api.GetAsync<FleetModelAssignment>($"/api/fleets/{Escape(fleetId)}/models");

    /// <summary>Switches the fleet's anomaly model to <paramref name="model"/>, keeping its RUL model.</summary>
    public async Task<FleetModelAssignment> AssignAnomalyModelAsync(string fleetId, ModelRef model)
    {
        var current = await ModelsAsync(fleetId);
        if (current.Anomaly?.Model == model)
        {
            return current;
        }

        return await api.SendJsonAsync<FleetModelAssignment>(
            HttpMethod.Put, $"/api/fleets/{Escape(fleetId)}/models", new { anomaly = model.Key, rul = current.Rul?.Model.Key });
    }

    public async Task<SystemScores> RunAsync(string fleetId, string deviceId, IReadOnlyList<float[]> rows, CancellationToken cancellationToken = default)
    {
        await RequireNewDeviceAsync(fleetId, deviceId, cancellationToken);
        var (scores, thresholds) = (NaNs(rows.Count), NaNs(rows.Count));
        var start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ((rows.Count - 1) * 1000L);
        var scoresPath = $"/api/devices/{Escape(fleetId)}/{Escape(deviceId)}/scores";
        var chunk = 1; // until the device says how many scorings it keeps
        var read = -1L;
        string scorer = "";
        for (var first = 0; first < rows.Count;)
        {
            var count = Math.Min(chunk, rows.Count - first);
            var events = Enumerable.Range(first, count).Select(i => new TelemetryEvent(fleetId, deviceId, start + (i * 1000L), i, rows[i]));
            var report = await api.SendJsonAsync<IngestReport>(HttpMethod.Post, "/api/telemetry", events, cancellationToken);
            if (report.Rejected > 0)
            {
                var error = report.Errors[0];
                throw new DataFormatException($"the server rejected row {first + error.Index}: {error.Reason}");
            }

            var history = await api.GetAsync<DeviceScoreHistory>($"{scoresPath}?after={read}", cancellationToken);
            if (history.Capacity == 0)
            {
                throw new FleetApiException("The server keeps no scorings per device (Fleet:Devices:ScoreHistory is 0), so they cannot be read back.");
            }

            foreach (var point in history.Points)
            {
                scores[point.Seq] = point.Score ?? float.NaN;
                thresholds[point.Seq] = point.Threshold ?? float.NaN;
                read = Math.Max(read, point.Seq);
            }

            scorer = history.Scorer;
            chunk = history.Capacity;
            first += count;
        }

        var device = await api.GetAsync<DeviceSnapshot>($"/api/devices/{Escape(fleetId)}/{Escape(deviceId)}", cancellationToken);
        return new SystemScores(scores, thresholds, device, scorer);
    }

    private async Task RequireNewDeviceAsync(string fleetId, string deviceId, CancellationToken cancellationToken)
    {
        try
        {
            var existing = await api.GetAsync<DeviceSnapshot>($"/api/devices/{Escape(fleetId)}/{Escape(deviceId)}", cancellationToken);
            throw new ArgumentException($"device {fleetId}/{deviceId} already has samples (up to seq {existing.LastSeq}); replay into a new device (--device).");
        }
        catch (FleetApiException ex) when (ex.Status == HttpStatusCode.NotFound)
        {
        }
    }

    private static float[] NaNs(int count)
    {
        var values = new float[count];
        Array.Fill(values, float.NaN);
        return values;
    }

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
