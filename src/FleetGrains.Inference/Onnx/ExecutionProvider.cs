namespace FleetGrains.Inference.Onnx;

/// <summary>Where ONNX Runtime runs a model. Anything but CPU needs the GPU build (<c>-p:FleetGpu=true</c>) and its drivers.</summary>
public enum ExecutionProvider
{
    Cpu,
    Cuda,
    TensorRt,
}
