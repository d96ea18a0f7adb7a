using FleetGrains.Silo.Api;
using FleetGrains.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddFleetGrains();

var app = builder.Build();
app.UseFleetPipeline();
app.MapFleetApi();
app.Run();
