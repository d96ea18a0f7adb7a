using System.Globalization;
using FleetGrains.Abstractions;

namespace FleetGrains.Cli;

/// <summary>Parses a fleetctl command line, calls the API and prints a table (or the JSON with --json).</summary>
public static class FleetCtl
{
    public const string DefaultUrl = "http://localhost:5080";
    public const string UrlVariable = "FLEETCTL_URL";

    public const string Usage = """
        usage: fleetctl [--url URL] [--key KEY] [--json] <command>

        commands:
          fleets                          fleets with their device counts per health state
          fleet <fleetId>                 a fleet's rollup: counts, worst devices, offline devices
          devices <fleetId> [--state S] [--sort severity|score|lastSeen|deviceId] [--offset N] [--limit N]
                                          a fleet's devices, filtered, sorted and paged
          device <fleetId>/<deviceId>     a device's health, score, threshold and top contributors
          sources                         events per source and outcome (whole cluster and the answering silo);
                                          each Redis Streams partition's owner, length, lag and pending entries;
                                          the Kafka and Event Hubs partitions the answering silo reads, with their lag
          deadletters [--source S] [--count N]
                                          the newest input the sources could not use: where, why, what (default 20)
          audit [--fleet F] [--device D] [--count N]
                                          who changed what, newest first, with the values before and after:
                                          everything (admin:*) or one fleet's (its operators); default 20
          keys list                       the API keys (never the keys themselves): grants, expiry, revocation
          keys create --name N --grants role:fleet[,…] [--expires 2027-06-30T00:00:00Z]
                                          a new key (roles viewer, operator, ingest, admin; fleet an id or *),
                                          printed this once
          keys revoke <keyId>             refuse the key from now on (on every silo within seconds)
          eval smd --data <dir> [--machines m1,m2] [--model autoencoder|lstm] [--epochs N] [--window W]
                 [--synthetic-tail [--seeds 7,8,9]]
                                          train the window model (autoencoder by default, or the LSTM forecaster)
                                          and the PCA baseline per SMD machine, judge their scores with a device's
                                          alarm policy and report detection quality (runs locally, no server);
                                          --synthetic-tail tests on planted anomalies in the last 10 % of the
                                          training rows instead (label-free model selection), one
                                          tail per planting seed (default 7), all in the means
          eval smd --data <dir> --through <url> [--machines m1,m2] [--model id@v] [--models <dir>]
                                          the same through a running FleetGrains: each machine's committed model
                                          scores its rows in the device grains; read back, measured, and compared
                                          with the same model file run here (scores agree within 1e-5)
          eval cmapss --data <dir> --subset FD001|FD003 [--model cnn|lstm] [--epochs N] [--window W]
                 [--also-train FD003]
                                          train the RUL model (an ensemble of temporal CNNs, or of LSTMs) and the
                                          ridge baseline, report RMSE and PHM08 score; --also-train adds other
                                          subsets' run-to-failure engines to the training set
          train autoencoder|forecaster --data <smd dir> --machines <name> [--epochs N] [--window W] --out <path>
          train rul --data <cmapss dir> --subset FD001|FD003 [--model cnn|lstm] [--window W] [--also-train FD003]
                 --out <path>
          train rul --simulated <fleetId>:<features> [--runs 40] --out <path>
                                          train a model, write <path>.onnx with its card <path>.json and <path>.md
          replay <csv> [--columns a,b|0,1] [--delimiter ,] [--train-rows N | --train-fraction 0.5]
                 [--label col] [--model autoencoder|lstm] [--window W] [--epochs N] [--out scores.csv]
                                          train a window model on the leading rows of your own CSV (with a header;
                                          one column: the LSTM forecaster over 16 samples, several: the autoencoder),
                                          judge the rest with a device's alarm policy, write row,score,threshold,
                                          alarm,label and the alarm episodes (<out>.episodes.csv)
          replay <csv> --through <url> --fleet <fleetId> [--model id@v] [--device D] [--models <dir>]
                 [--columns ...] [--label col] [--out scores.csv]
                                          send the rows to a running FleetGrains as a new device of the fleet, read
                                          every score back and compare it with the same model file run here

        --url defaults to $FLEETCTL_URL, else http://localhost:5080.
        --key (an API key) defaults to $FLEETCTL_KEY, else the file $FLEETCTL_KEY_FILE or ~/.config/fleetctl/key
        (readable by its owner only).
        """;

    public static async Task<int> RunAsync(string[] args, HttpClient http, TextWriter output, TextWriter error)
    {
        CommandLine line;
        try
        {
            line = CommandLine.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (line.Command is null or "help")
        {
            await output.WriteLineAsync(Usage);
            return line.Command is null ? 2 : 0;
        }

        try
        {
            if (CliKey.Resolve(line) is { } key)
            {
                http.DefaultRequestHeaders.Remove(CliKey.Header);
                http.DefaultRequestHeaders.Add(CliKey.Header, key);
            }
        }
        catch (Exception ex) when (ex is ArgumentException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 2;
        }

        if (line.Command == "eval")
        {
            return await EvalCommand.RunAsync(line, http, output, error);
        }

        if (line.Command == "replay")
        {
            return await ReplayCommand.RunAsync(line, http, output, error);
        }

        if (line.Command == "train")
        {
            return await TrainCommand.RunAsync(args, line, output, error);
        }

        var url = line.Option("url") ?? Environment.GetEnvironmentVariable(UrlVariable) ?? DefaultUrl;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            await error.WriteLineAsync($"fleetctl: '{url}' is not an http(s) URL.");
            return 2;
        }

        var client = new FleetApiClient(http, baseUrl);
        try
        {
            if (line.Command == "keys")
            {
                await KeysCommand.RunAsync(line, client, output);
                return 0;
            }

            var (path, render) = Route(line);
            if (line.Flag("json"))
            {
                await output.WriteLineAsync(await client.GetAsync(path));
            }
            else
            {
                await render(client, path, output);
            }

            return 0;
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            await error.WriteLineAsync(Usage);
            return 2;
        }
        catch (FleetApiException ex)
        {
            await error.WriteLineAsync($"fleetctl: {ex.Message}");
            return 1;
        }
    }

    private static (string Path, Func<FleetApiClient, string, TextWriter, Task> Render) Route(CommandLine line)
    {
        switch (line.Command)
        {
            case "fleets":
                line.ExpectArguments(0, "fleets");
                return ("/api/fleets", Render.FleetsAsync);
            case "fleet":
                line.ExpectArguments(1, "fleet <fleetId>");
                return ($"/api/fleets/{Uri.EscapeDataString(line.Arguments[0])}", Render.FleetAsync);
            case "devices":
                line.ExpectArguments(1, "devices <fleetId>");
                var query = new List<string>();
                foreach (var name in new[] { "state", "sort", "offset", "limit" })
                {
                    if (line.Option(name) is { } value)
                    {
                        query.Add($"{name}={Uri.EscapeDataString(value)}");
                    }
                }

                var path = $"/api/fleets/{Uri.EscapeDataString(line.Arguments[0])}/devices";
                return (query.Count > 0 ? $"{path}?{string.Join('&', query)}" : path, Render.DevicesAsync);
            case "device":
                line.ExpectArguments(1, "device <fleetId>/<deviceId>");
                var (fleetId, deviceId) = ParseDeviceKey(line.Arguments[0]);
                return ($"/api/devices/{Uri.EscapeDataString(fleetId)}/{Uri.EscapeDataString(deviceId)}", Render.DeviceAsync);
            case "sources":
                line.ExpectArguments(0, "sources");
                return ("/api/sources", Render.SourcesAsync);
            case "deadletters":
                line.ExpectArguments(0, "deadletters");
                var letters = $"/api/deadletters?count={Uri.EscapeDataString(line.Option("count") ?? "20")}";
                return (line.Option("source") is { } source ? $"{letters}&source={Uri.EscapeDataString(source)}" : letters, Render.DeadLettersAsync);
            case "audit":
                line.ExpectArguments(0, "audit");
                var audit = line.Option("fleet") is { } auditedFleet ? $"/api/fleets/{Uri.EscapeDataString(auditedFleet)}/audit" : "/api/audit";
                audit += $"?count={Uri.EscapeDataString(line.Option("count") ?? "20")}";
                return (line.Option("device") is { } auditedDevice ? $"{audit}&deviceId={Uri.EscapeDataString(auditedDevice)}" : audit, Render.AuditAsync);
            default:
                throw new ArgumentException($"unknown command '{line.Command}'.");
        }
    }

    private static (string FleetId, string DeviceId) ParseDeviceKey(string key)
    {
        try
        {
            return FleetKeys.ParseDevice(key);
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"'{key}' is not <fleetId>/<deviceId>.");
        }
    }

    internal static string Format(float? value) => value?.ToString("0.###", CultureInfo.InvariantCulture) ?? "-";

    internal static string Format(DateTimeOffset? value) => value?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";
}
