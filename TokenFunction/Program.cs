using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Hosting;
using TokenFunction.Hosting;

var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
builder.Services.AddTokenService(builder.Configuration);
builder.Services.AddSocketCompletionScheduling();
// The worker's invocation spans carry the host's trace context (host.json: telemetryMode OpenTelemetry).
builder.Services.AddTokenServiceTelemetry(builder.Configuration, telemetry => telemetry.UseFunctionsWorkerDefaults());
builder.Build().Run();
