using FleetGrains.Cli;

using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
return await FleetCtl.RunAsync(args, http, Console.Out, Console.Error);
