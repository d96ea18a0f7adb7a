using FleetGrains.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FleetGrains.Silo.Api;

/// <summary>The problem+json answers the operator endpoints share.</summary>
public static class ApiProblems
{
    public const string UnknownFleetTitle = "Unknown fleet";

    /// <summary>Also what a caller without access to an existing fleet is told (see <see cref="Security.FleetAuthorizationResultHandler"/>).</summary>
    public static string UnknownFleetDetail(string fleetId) => $"No device of fleet '{fleetId}' has reported yet.";

    public static ProblemHttpResult UnknownFleet(string fleetId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: UnknownFleetTitle,
        detail: UnknownFleetDetail(fleetId));

    public static ProblemHttpResult UnknownDevice(string fleetId, string deviceId) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Unknown device",
        detail: $"Device '{deviceId}' of fleet '{fleetId}' has never sent accepted telemetry.");

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A validation problem when the ids are not well formed, else null.</summary>
    public static ValidationProblem? CheckIds(string fleetId, string? deviceId = null)
    {
        var errors = new Dictionary<string, string[]>();
        if (!TelemetryValidator.IsValidId(fleetId))
        {
            errors["fleetId"] = [$"'{fleetId}' is not a valid fleet id: 1-{TelemetryValidator.MaxIdLength} letters, digits, '-', '_', '.' or ':'."];
        }

        if (deviceId is not null && !TelemetryValidator.IsValidId(deviceId))
        {
            errors["deviceId"] = [$"'{deviceId}' is not a valid device id: 1-{TelemetryValidator.MaxIdLength} letters, digits, '-', '_', '.' or ':'."];
        }

        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors);
    }
}
