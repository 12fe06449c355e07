# isobench ml driver: CPU deep-learning throughput with PyTorch, synthetic data and random weights.
# Nothing is downloaded: models are built with weights=None and the data is one random batch, as
# tf_cnn_benchmarks' synthetic ImageNet. Usage: isobench_ml.py MODEL MODE BATCH BATCHES THREADS
# Prints "key value" lines; the first batch (warm-up) is timed apart from the measured ones.
import sys
import time

t_start = time.monotonic()
import torch  # noqa: E402

MODELS = ("resnet50", "resnet18", "mobilenet_v2", "tiny")


def tiny_cnn():
    # a small CNN on 64x64 images for tests and TCG guests: seconds, not minutes
    return torch.nn.Sequential(
        torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(64, 1000))


def build(name):
    if name == "tiny":
        return tiny_cnn(), 64
    import torchvision.models as models
    return getattr(models, name)(weights=None), 224


def main(argv):
    if len(argv) != 6 or argv[1] not in MODELS or argv[2] not in ("train", "inference"):
        print("usage: isobench_ml.py {%s} {train|inference} BATCH BATCHES THREADS" % "|".join(MODELS),
              file=sys.stderr)
        return 2
    name, mode = argv[1], argv[2]
    batch, batches, threads = int(argv[3]), int(argv[4]), int(argv[5])
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    print("torch %s" % torch.__version__)
    print("threads %d" % torch.get_num_threads())
    print("import_s %.6f" % (time.monotonic() - t_start))
    model, size = build(name)
    images = torch.randn(batch, 3, size, size)
    labels = torch.randint(0, 1000, (batch,))
    if mode == "train":
        model.train()
        loss_fn = torch.nn.CrossEntropyLoss()
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

        def step():
            opt.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            opt.step()
            return loss.item()
    else:
        model.eval()

        def step():
            with torch.no_grad():
                return float(model(images).sum().item())
    print("model %s mode %s batch %d image %dx%d" % (name, mode, batch, size, size))
    t0 = time.monotonic()
    value = step()
    print("first_batch_s %.6f" % (time.monotonic() - t0))
    done = 0
    t0 = time.monotonic()
    for i in range(batches):
        b0 = time.monotonic()
        value = step()
        done += 1
        print("batch %d %.6f" % (i + 1, time.monotonic() - b0))
    elapsed = time.monotonic() - t0
    finite = value == value and abs(value) != float("inf")
    print("last_value %s" % ("%.6g" % value if finite else "nan"))
    print("batches_done %d" % done)
    print("elapsed_s %.6f" % elapsed)
    print("images_per_second %.4f" % (batch * done / elapsed))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
