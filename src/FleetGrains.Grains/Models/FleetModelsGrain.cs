using FleetGrains.Abstractions;
using FleetGrains.Grains.Devices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FleetGrains.Grains.Models;

/// <summary>
/// The model registry entry of one fleet. Until an operator assigns models through the API it serves the
/// configured ones, which it describes by asking their model hosts (so a missing or unfit file shows up
/// as <see cref="FleetModelAssignment.Problem"/>, and is asked again later, instead of failing devices).
/// </summary>
public sealed partial class FleetModelsGrain(
    [PersistentState("models", FleetStorage.Name)] IPersistentState<FleetModelsState> state,
    IOptions<ModelRegistryOptions> registryOptions,
    IOptions<DeviceOptions> deviceOptions,
    TimeProvider time,
    ILogger<FleetModelsGrain> logger) : Grain, IFleetModelsGrain
{
    private const string FromConfiguration = "configuration";
    private const string FromApi = "api";

    private FleetModelAssignment? _configured;
    private bool _warnedUnavailable;

    private string FleetId => this.GetPrimaryKeyString();

    public async Task<FleetModelAssignment> GetAsync()
    {
        if (state.State.Assigned is { } assigned)
        {
            return assigned;
        }

        if (_configured is not null)
        {
            return _configured;
        }

        if (!registryOptions.Value.Fleets.TryGetValue(FleetId, out var settings))
        {
            return _configured = FleetModelAssignment.None(FleetId, FromConfiguration);
        }

        try
        {
            var anomaly = settings.Anomaly is { } a ? await DescribeAsync(ModelRef.Parse(a), anomaly: true) : null;
            var rul = settings.Rul is { } r ? await DescribeAsync(ModelRef.Parse(r), anomaly: false) : null;
            return _configured = new FleetModelAssignment(FleetId, anomaly, rul, 1, FromConfiguration, time.GetUtcNow(), null);
        }
        catch (Exception ex)
        {
            // Not kept: the model silo may come up, or the file be deployed, before the next question.
            if (!_warnedUnavailable)
            {
                _warnedUnavailable = true;
                LogConfiguredModelsUnavailable(logger, ex, FleetId);
            }

            return FleetModelAssignment.None(FleetId, FromConfiguration, $"The configured models cannot be used yet: {ex.Message}");
        }
    }

    public async Task<FleetModelAssignment> AssignAsync(ModelRef? anomaly, ModelRef? rul)
    {
        var current = await GetAsync();
        var anomalyModel = anomaly is null ? null : await DescribeAsync(anomaly, anomaly: true);
        var rulModel = rul is null ? null : await DescribeAsync(rul, anomaly: false);
        var next = new FleetModelAssignment(FleetId, anomalyModel, rulModel, current.Version + 1, FromApi, time.GetUtcNow(), null);
        var previous = state.State.Assigned;
        state.State.Assigned = next;
        await this.WriteOrUndoAsync(state, () => state.State.Assigned = previous);
        LogAssigned(logger, FleetId, anomaly?.Key ?? "(statistical)", rul?.Key ?? "(none)", next.Version);
        return next;
    }

    // For the anomaly role a model that scores anomalies (an autoencoder or a forecaster), for the RUL role a RUL model.
    private async Task<ModelDescription> DescribeAsync(ModelRef model, bool anomaly)
    {
        ModelDescription description;
        try
        {
            description = (await GrainFactory.GetGrain<IModelHostGrain>(model.Key).GetStatusAsync()).Description;
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or ArgumentException)
        {
            throw new ArgumentException($"Model {model} cannot be loaded: {ex.Message}", ex);
        }

        if (description.Kind.ScoresAnomalies() != anomaly)
        {
            throw new ArgumentException($"Model {model} is a {description.Kind} model; this role needs {(anomaly ? "an anomaly model (WindowAutoencoder or WindowForecaster)" : "a Rul model")}.");
        }

        if (deviceOptions.Value.FeatureCountFor(FleetId) is { } features && features != description.Features)
        {
            throw new ArgumentException($"Model {model} reads {description.Features} features; the devices of fleet '{FleetId}' send {features}.");
        }

        return description;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Fleet {FleetId} now uses anomaly model {Anomaly} and RUL model {Rul} (assignment {Version})")]
    private static partial void LogAssigned(ILogger logger, string fleetId, string anomaly, string rul, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The configured models of fleet {FleetId} cannot be used yet; its devices use the statistical scorer meanwhile, and the models are tried again every few seconds (logged once)")]
    private static partial void LogConfiguredModelsUnavailable(ILogger logger, Exception exception, string fleetId);
}
