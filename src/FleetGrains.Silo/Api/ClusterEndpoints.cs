using FleetGrains.Abstractions;
using FleetGrains.Inference.Onnx;
using FleetGrains.Inference.Placement;
using FleetGrains.Silo.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace FleetGrains.Silo.Api;

/// <summary>The cluster as an operator sees it: its silos and their roles, the model hosts and their execution providers, the model files.</summary>
public static class ClusterEndpoints
{
    /// <summary>How long one model host may take to report before it is listed with the failure instead.</summary>
    public static readonly TimeSpan ModelHostTimeout = TimeSpan.FromSeconds(5);

    public static RouteGroupBuilder MapClusterEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/cluster", GetClusterAsync).RequireAuthorization(FleetPolicies.ClusterAdmin).WithTags("Cluster").WithName("GetCluster")
            .WithSummary("The active silos with their roles, and every model in use: the fleets using it, its silo, execution provider (requested, active, why it fell back) and work");
        api.MapGet("/models", ListModels).RequireAuthorization(FleetPolicies.SignedIn).WithTags("Models").WithName("ListModels")
            .WithSummary("The model versions whose files the answering silo holds ({id}@{version}), which fleets can be switched to");
        return api;
    }

    public static Ok<string[]> ListModels(ModelFiles files) => TypedResults.Ok(files.List().Select(model => model.Key).ToArray());

    public static async Task<Ok<ClusterReport>> GetClusterAsync(IGrainFactory grains, ISiloMetadataCache metadata, ILocalSiloDetails silo)
    {
        var members = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        var silos = members
            .OrderBy(member => member.SiloName, StringComparer.Ordinal)
            .Select(member => DescribeSilo(member, metadata.GetSiloMetadata(member.SiloAddress).Metadata))
            .ToArray();

        var fleetIds = await grains.GetGrain<IFleetDirectoryGrain>(0).ListAsync();
        var assignments = await Task.WhenAll(fleetIds.Select(id => grains.GetGrain<IFleetModelsGrain>(id).GetAsync()));
        var fleetsByModel = assignments
            .SelectMany(assignment => new[] { assignment.Anomaly, assignment.Rul }.OfType<ModelDescription>().Select(model => (model.Model.Key, assignment.FleetId)))
            .GroupBy(pair => pair.Key, pair => pair.FleetId, StringComparer.Ordinal)
            .OrderBy(group => group.Key, StringComparer.Ordinal);
        var siloNames = members.ToDictionary(member => member.SiloAddress.ToString(), member => member.SiloName, StringComparer.Ordinal);
        var hosts = await Task.WhenAll(fleetsByModel.Select(group => DescribeHostAsync(grains, group.Key, [.. group.Distinct().Order(StringComparer.Ordinal)], siloNames)));

        return TypedResults.Ok(new ClusterReport(silo.SiloAddress.ToParsableString(), silos, hosts));
    }

    private static SiloReport DescribeSilo(MembershipEntry member, IReadOnlyDictionary<string, string> roles) => new(
        member.SiloAddress.ToParsableString(),
        member.SiloName,
        member.HostName,
        member.Status.ToString(),
        new DateTimeOffset(DateTime.SpecifyKind(member.StartTime, DateTimeKind.Utc)),
        new DateTimeOffset(DateTime.SpecifyKind(member.IAmAliveTime, DateTimeKind.Utc)),
        roles.TryGetValue(SiloRoles.HostsModels, out var hostsModels) && string.Equals(hostsModels, "true", StringComparison.OrdinalIgnoreCase),
        roles.TryGetValue(SiloRoles.Accelerator, out var accelerator) ? accelerator : null);

    private static async Task<ModelHostReport> DescribeHostAsync(IGrainFactory grains, string model, string[] fleets, Dictionary<string, string> siloNames)
    {
        try
        {
            var status = await grains.GetGrain<IModelHostGrain>(model).GetStatusAsync().WaitAsync(ModelHostTimeout);
            return new ModelHostReport(model, fleets, siloNames.GetValueOrDefault(status.Silo), status, Problem: null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new ModelHostReport(model, fleets, SiloName: null, Status: null, Problem: $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}

/// <param name="AnsweredBy">The silo that made this report.</param>
public sealed record ClusterReport(string AnsweredBy, IReadOnlyList<SiloReport> Silos, IReadOnlyList<ModelHostReport> ModelHosts);

/// <param name="HostsModels">Whether model hosts may be placed on it (<c>Fleet:Cluster:HostsModels</c>).</param>
/// <param name="Accelerator">The execution provider it was configured with (<c>cpu</c>, <c>cuda</c>, <c>tensorrt</c>).</param>
public sealed record SiloReport(string Address, string Name, string Host, string Status, DateTimeOffset StartedAt, DateTimeOffset LastAlive, bool HostsModels, string? Accelerator);

/// <param name="SiloName">The name of the silo the host runs on (<see cref="ModelHostStatus.Silo"/> is its address).</param>
/// <param name="Status">What the model's host reports; null (with <paramref name="Problem"/>) when it could not be reached or loaded.</param>
public sealed record ModelHostReport(string Model, IReadOnlyList<string> Fleets, string? SiloName, ModelHostStatus? Status, string? Problem);
