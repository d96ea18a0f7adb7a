using System.Net;
using FleetGrains.Silo.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace FleetGrains.Silo.Tests;

/// <summary>
/// A grain call that fails because its grain is moving (a silo died) is tried again within a short budget, then
/// answered 503 with Retry-After — through the real host's exception handling, on endpoints that fail on purpose.
/// </summary>
public sealed class TransientFailureTests : IAsyncLifetime
{
    private int _flakyCalls, _downCalls, _postCalls, _bugCalls;
    private SiloHost _host = null!;

    public async Task InitializeAsync() => _host = await SiloHost.StartAsync(
        new Dictionary<string, string?> { ["Fleet:Api:TransientRetryBudget"] = "00:00:03", ["Fleet:Api:RetryAfter"] = "00:00:03" },
        mapMore: app =>
        {
            var test = app.MapGroup("/test").AddEndpointFilter<TransientRetryFilter>();
            test.MapGet("/flaky", () => ++_flakyCalls <= 2 ? throw new SiloUnavailableException("the silo died") : "ok");
            test.MapGet("/down", string () => { _downCalls++; throw new SiloUnavailableException("forwarding failed"); });
            test.MapPost("/down", string () => { _postCalls++; throw new SiloUnavailableException("the silo died"); });
            test.MapGet("/bug", string () => { _bugCalls++; throw new InvalidOperationException("a bug"); });
        });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ARead_ThatFailsTransientlyAFewTimes_IsAnsweredAfterRetries()
    {
        var response = await _host.Http.GetAsync("/test/flaky");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, _flakyCalls);
    }

    [Fact]
    public async Task ARead_ThatKeepsFailingTransiently_Is503WithRetryAfter_AfterTheBudget()
    {
        var response = await _host.Http.GetAsync("/test/down");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(3), response.Headers.RetryAfter?.Delta);
        Assert.Contains("SiloUnavailableException", problem.Detail());
        Assert.InRange(_downCalls, 2, 10); // pauses of 100, 200, 400, 800 ms fit a budget of 3 s
    }

    [Fact]
    public async Task AChange_ThatFailsTransiently_IsNotRepeated_But503()
    {
        var response = await _host.Http.PostAsync("/test/down", null);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(1, _postCalls);
    }

    [Fact]
    public async Task AnotherFailure_IsNotRetried_AndStaysAServerError()
    {
        var response = await _host.Http.GetAsync("/test/bug");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, _bugCalls);
    }
}
