using FleetGrains.Ingestion;

namespace FleetGrains.Silo.Security;

/// <summary>What a role lets its holder do, on the fleets it is granted for.</summary>
public enum FleetRole
{
    /// <summary>Read a fleet's devices, anomalies, maintenance plan and models.</summary>
    Viewer,

    /// <summary>Viewer, and pin thresholds, give feedback, complete work orders.</summary>
    Operator,

    /// <summary>Send telemetry for the fleet (nothing else).</summary>
    Ingest,

    /// <summary>Everything on its fleets; on every fleet (<c>admin:*</c>) also keys, sources, dead letters.</summary>
    Admin,
}

/// <summary>
/// A role on one fleet or on every fleet (<see cref="AllFleets"/>), written <c>role:fleet</c> (<c>operator:turbines</c>,
/// <c>ingest:*</c>); a role alone means every fleet. How keys and the identity provider's role claims grant access.
/// </summary>
public readonly record struct FleetGrant(FleetRole Role, string Fleet)
{
    public const string AllFleets = "*";

    public bool IsForAllFleets => Fleet == AllFleets;

    /// <summary>Whether this grant lets its holder act as <paramref name="needed"/> on <paramref name="fleetId"/> (null: a cluster-wide action).</summary>
    public bool Allows(FleetRole needed, string? fleetId) =>
        (IsForAllFleets || (fleetId is not null && Fleet == fleetId)) && Implies(Role, needed);

    /// <summary>Whether this grant gives any access to <paramref name="fleetId"/> (the fleet is then known to its holder).</summary>
    public bool Covers(string fleetId) => IsForAllFleets || Fleet == fleetId;

    public static bool TryParse(string? text, out FleetGrant grant)
    {
        grant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var roleText = colon < 0 ? text : text[..colon];
        var fleet = colon < 0 ? AllFleets : text[(colon + 1)..];
        if (!Enum.TryParse<FleetRole>(roleText, ignoreCase: true, out var role) || !Enum.IsDefined(role) || roleText.Any(char.IsDigit)
            || (fleet != AllFleets && !TelemetryValidator.IsValidId(fleet)))
        {
            return false;
        }

        grant = new FleetGrant(role, fleet);
        return true;
    }

    public override string ToString() => $"{Role.ToString().ToLowerInvariant()}:{Fleet}";

    private static bool Implies(FleetRole held, FleetRole needed) =>
        held == needed || held == FleetRole.Admin || (held == FleetRole.Operator && needed == FleetRole.Viewer);
}
