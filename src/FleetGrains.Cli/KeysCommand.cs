using System.Globalization;

namespace FleetGrains.Cli;

/// <summary><c>fleetctl keys list|create|revoke</c>: the API keys (admin of every fleet only).</summary>
internal static class KeysCommand
{
    public const string Usage = "keys list | keys create --name N --grants role:fleet[,role:fleet…] [--expires 2027-06-30T00:00:00Z] | keys revoke <keyId>";

    public static async Task RunAsync(CommandLine line, FleetApiClient client, TextWriter output)
    {
        var action = line.Arguments.FirstOrDefault() ?? "list";
        switch (action)
        {
            case "list":
                line.ExpectArguments(line.Arguments.Count == 0 ? 0 : 1, Usage);
                var keys = await client.GetAsync<KeyView[]>("/api/keys");
                if (line.Flag("json"))
                {
                    await output.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(keys, FleetApiClient.Json));
                    return;
                }

                var table = new TableWriter("ID", "NAME", "GRANTS", "CREATED", "EXPIRES", "REVOKED");
                foreach (var key in keys)
                {
                    table.Add(key.Id, key.Name, string.Join(',', key.Grants), FleetCtl.Format(key.CreatedAt), FleetCtl.Format(key.ExpiresAt), FleetCtl.Format(key.RevokedAt));
                }

                table.WriteTo(output);
                return;
            case "create":
                line.ExpectArguments(1, Usage);
                var name = line.Option("name") ?? throw new ArgumentException($"--name is required: {Usage}");
                var grants = (line.Option("grants") ?? throw new ArgumentException($"--grants is required: {Usage}")).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                DateTimeOffset? expires = line.Option("expires") is { } text
                    ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at : throw new ArgumentException($"--expires '{text}' is not a date and time.")
                    : null;
                var created = await client.SendJsonAsync<CreatedKey>(HttpMethod.Post, "/api/keys", new { name, grants, expiresAt = expires });
                await output.WriteLineAsync($"Key {created.Details.Id} '{created.Details.Name}' ({string.Join(',', created.Details.Grants)}), expires {FleetCtl.Format(created.Details.ExpiresAt)}.");
                await output.WriteLineAsync("It is shown this once; keep it secret:");
                await output.WriteLineAsync(created.Key);
                return;
            case "revoke":
                line.ExpectArguments(2, Usage);
                var revoked = await client.DeleteAsync<KeyView>($"/api/keys/{Uri.EscapeDataString(line.Arguments[1])}");
                await output.WriteLineAsync($"Key {revoked.Id} '{revoked.Name}' revoked at {FleetCtl.Format(revoked.RevokedAt)}.");
                return;
            default:
                throw new ArgumentException($"unknown keys action '{action}': {Usage}");
        }
    }

    private sealed record KeyView(string Id, string Name, string[] Grants, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt);

    private sealed record CreatedKey(KeyView Details, string Key);
}
