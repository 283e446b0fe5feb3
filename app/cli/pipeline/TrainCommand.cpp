// `xwam train`: fine-tunes (or trains from scratch) the X-WAM model or its video VAE on episode files.
// JSON lines on stdout (one per logged step, evaluation and checkpoint), a human progress line on
// stderr; SIGINT/SIGTERM save a checkpoint and stop, so a GUI or a cluster can cancel cleanly.
// With --write-script it writes the job as a shell or Slurm script instead (engine/jobs, as the studio).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "app/cli/Command.h"
#include "app/cli/StopSignal.h"
#include "engine/core/Error.h"
#include "engine/core/OutputDir.h"
#include "engine/data/ClipLoader.h"
#include "engine/data/EpisodeFile.h"
#include "engine/jobs/JobScript.h"
#include "engine/pipeline/ClipBatch.h"
#include "engine/pipeline/LatentStats.h"
#include "engine/pipeline/TrainTasks.h"
#include "engine/pipeline/api/Engine.h"
#include "engine/train/RunFolder.h"
#include "engine/train/Trainer.h"

using namespace xwam;
namespace fs = std::filesystem;

namespace {

// Normalization statistics over every episode (states and actions only), and the cameras to use.
struct DataSummary {
  data::NormStats stats;
  std::vector<std::string> cameras;
  int episodes = 0;
  bool all_depth = true;  // every camera of every episode has depth of one kind (all metric or all encoded)
};

DataSummary summarize(const std::vector<std::string>& files, const std::vector<std::string>& cameras, int views) {
  DataSummary s;
  bool all_metric = true, all_encoded = true;
  std::vector<data::Episode> light;
  data::ReadOptions opts;
  opts.rgb = opts.depth = opts.source = false;
  for (const auto& f : files) {
    data::EpisodeFileReader reader(f);
    for (int i = 0; i < reader.num_episodes(); ++i) {
      light.push_back(reader.read(i, opts));
      const data::Episode& ep = light.back();
      if (s.cameras.empty()) {
        s.cameras = cameras;
        if (s.cameras.empty())
          for (int v = 0; v < views && v < static_cast<int>(ep.cameras.size()); ++v) s.cameras.push_back(ep.cameras[v].name);
      }
      for (const auto& name : s.cameras) {
        const int c = ep.camera_index(name);
        if (c < 0) throw Error(f, "episode " + ep.name, "has no camera '" + name + "' (the model's views: see task.cameras)");
        all_metric &= ep.cameras[c].has_depth;
        all_encoded &= ep.cameras[c].depth_encoded;
      }
    }
  }
  if (light.empty()) throw Error(files.empty() ? "--data" : files[0], "the dataset holds no episodes");
  // Encoded depth (no metric mapping) trains as the released code does; a mix of kinds cannot share a batch.
  s.all_depth = all_metric || all_encoded;
  if (static_cast<int>(s.cameras.size()) != views)
    throw Error(files[0], "the model needs " + std::to_string(views) + " camera views, the episodes have " +
                              std::to_string(s.cameras.size()));
  s.stats = data::NormStats::compute(light);
  s.episodes = static_cast<int>(light.size());
  return s;
}

void print_human(const train::StepReport& r) {
  if (r.eval_loss) {
    std::fprintf(stderr, "[train] eval at step %lld: loss %.4f\n", static_cast<long long>(r.step), *r.eval_loss);
  } else if (!r.checkpoint.empty()) {
    std::fprintf(stderr, "[train] checkpoint %s\n", r.checkpoint.c_str());
  } else {
    const int width = 30, filled = static_cast<int>(width * r.step / std::max<int64_t>(1, r.total_steps));
    std::string bar(filled, '#');
    bar.resize(width, '.');
    std::fprintf(stderr, "[train] [%s] %lld/%lld loss %.4f lr %.2e %.2f samples/s ETA %.0f s\n", bar.c_str(),
                 static_cast<long long>(r.step), static_cast<long long>(r.total_steps), r.loss, r.lr, r.samples_per_s,
                 r.eta_s);
  }
}

// The job the options describe: config file and its overrides, data, run folder, start point.
jobs::TrainJobSpec job_spec(const cli::Args& args) {
  jobs::TrainJobSpec spec;
  spec.config_file = args.require("config");
  spec.episode_files = args.list("data");
  if (spec.episode_files.empty()) throw Error("--data", "give at least one episode file");
  spec.run_dir = args.require("out");
  spec.resume = args.flag("resume");
  spec.init_checkpoint = args.get("init", "");
  spec.wan_dir = args.get("wan-dir", "");
  if (args.has("steps")) spec.steps = args.get_int("steps", 0);
  if (args.has("lr")) spec.lr = args.get_double("lr", 0);
  if (args.has("batch-size")) spec.batch_size = args.get_int("batch-size", 0);
  return spec;
}

// `--write-script sh|slurm OUT`: the job these options describe, as the fine-tune dialog writes it.
int write_script(cli::Args& args, const std::vector<std::string>& kind_and_path) {
  if (kind_and_path.size() != 2) throw Error("--write-script", "expected a kind (sh or slurm) and a file name");
  const jobs::ScriptKind kind = jobs::parse_script_kind(kind_and_path[0]);
  jobs::TrainJobSpec spec = job_spec(args);
  // The script runs this very program (by its resolved path, as the studio names it).
  spec.program = fs::canonical("/proc/self/exe").string();
  for (const char* option : {"threads", "device"})
    if (args.has(option)) spec.extra_args.insert(spec.extra_args.end(), {std::string("--") + option, args.get(option, "")});
  const OutputOptions output{args.flag("force")};
  args.check_all_used();
  jobs::write_job_script(kind_and_path[1], jobs::job_script(spec, kind), output);
  std::fprintf(stderr, "[train] wrote %s\n", kind_and_path[1].c_str());
  return 0;
}

}  // namespace

XWAM_COMMAND(train, "Train or fine-tune X-WAM (or its video VAE) on episode files",
             "xwam train --config FILE.json --data FILE.h5 [FILE.h5 ...] --out RUNDIR [--resume] [--force] [--init CKPT]\n"
             "           [--wan-dir DIR] [--steps N] [--lr X] [--batch-size N] [--threads N] [--device cpu|cuda]\n"
             "           [--write-script sh|slurm OUT]\n"
             "  FILE.json: {\"model\": preset or config, \"task\": {...}, \"train\": {...}} (see docs/training.md).\n"
             "  Progress: JSON lines on stdout, a progress bar on stderr. RUNDIR/checkpoints/<step>/weights and\n"
             "  RUNDIR itself (its latest checkpoint) are checkpoints for `xwam rollout --checkpoint`.\n"
             "  --init takes any checkpoint `xwam rollout` takes (--wan-dir as there). RUNDIR may hold other files;\n"
             "  a run there is continued only with --resume, a config.json or checkpoints/ xwam did not write are\n"
             "  refused; --force moves such a RUNDIR aside to RUNDIR.old-N (nothing is deleted).\n"
             "  Under torchrun/srun (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) it trains data-parallel.\n"
             "  --steps/--lr/--batch-size override the config's \"train\" settings.\n"
             "  --write-script: trains nothing; writes the job as a shell or Slurm script (srun, one task per GPU)\n"
             "  that embeds the effective config in RUNDIR; an existing OUT is replaced only with --force.",
             {"resume", "force"}) {
  if (args.has("write-script")) return write_script(args, args.list("write-script"));
  const jobs::TrainJobSpec job = job_spec(args);
  const std::string& config_path = job.config_file;
  const std::vector<std::string>& files = job.episode_files;
  const std::string& out = job.run_dir;
  const bool resume = job.resume;
  const std::string& init = job.init_checkpoint;
  const std::string& wan_dir = job.wan_dir;
  const int threads = static_cast<int>(args.get_int("threads", 0));
  const std::string device_name = args.get("device", "cpu");
  const OutputOptions output{args.flag("force")};
  args.check_all_used();

  pipeline::TaskSettings settings = pipeline::TaskSettings::from_json_file(config_path);
  // The overrides go through the job's effective config: checked as the studio checks them, then as any
  // config file.
  train::TrainConfig tc = train::TrainConfig::from_json_text(jobs::effective_config_text(job), config_path);
  const train::DistributedEnv env = train::DistributedEnv::from_environment();
  if (env.rank == 0) {
    // Before any work, and after the config is read (it may live in the folder --force moves aside).
    const std::string moved = train::claim_run_folder(out, resume, output);
    if (!moved.empty()) std::fprintf(stderr, "[train] moved the previous %s aside to %s\n", out.c_str(), moved.c_str());
  }
  pipeline::set_compute_threads(threads);
  const torch::Device device(device_name);
  if (device.is_cuda() && !torch::cuda::is_available()) throw Error("--device cuda", "no CUDA device is available");
  const model::XWamConfig& mc = settings.model;

  train::DataParallel parallel(env);
  const DataSummary data = summarize(files, settings.cameras, mc.views);
  bool depth_on = data.all_depth;
  if (!data.all_depth) {
    std::fprintf(stderr, "[train] warning: some episodes have no depth on the model's cameras: depth loss off\n");
    settings.loss_weights.depth = 0;
  }
  std::fprintf(stderr, "[train] %s task, model %s, %d episodes, cameras", settings.kind == pipeline::TaskKind::Vae ? "vae" : "xwam",
               mc.name.c_str(), data.episodes);
  for (const auto& c : data.cameras) std::fprintf(stderr, " %s", c.c_str());
  std::fprintf(stderr, ", %dx%d, depth %s\n", mc.image_width(), mc.image_height(), depth_on ? "on" : "off");

  torch::manual_seed(tc.seed);
  bool estimate_stats = settings.normalize_latents && mc.vae.latent_mean.empty();
  if (estimate_stats && resume) {
    // The run's statistics were estimated when it started; they are in its checkpoints' config.
    const std::string last = train::Trainer::latest_checkpoint(out);
    if (last.empty()) throw Error(out, "--resume: the run has no checkpoint to continue");
    const model::VaeConfig saved = model::read_checkpoint(last + "/weights").config.vae;
    settings.model.vae.latent_mean = saved.latent_mean;
    settings.model.vae.latent_std = saved.latent_std;
  }
  model::XWamNetworks nets = model::make_networks(mc);
  if (!init.empty() && !resume) {
    const model::CheckpointData ckpt = model::read_checkpoint(init, wan_dir);
    // Latent statistics are data, not architecture: a checkpoint carries them, a new run has none yet.
    model::XWamConfig from_arch = ckpt.config, run_arch = mc;
    for (auto* c : {&from_arch, &run_arch}) c->vae.latent_mean.clear(), c->vae.latent_std.clear();
    if (from_arch.to_json() != run_arch.to_json()) {
      // Only the parts present are loaded, and each must match in shape (load_into names mismatches).
      std::fprintf(stderr, "[train] note: --init config '%s' differs from the run's '%s'\n", ckpt.config.name.c_str(),
                   mc.name.c_str());
    }
    for (const auto& part : pipeline::init_from_checkpoint(nets, ckpt))
      std::fprintf(stderr, "[train] initialized %s.* from %s\n", part.c_str(), init.c_str());
    // A DiT fine-tuned from a normalized checkpoint keeps the statistics it was trained with.
    const model::VaeConfig& from = ckpt.config.vae;
    if (estimate_stats && !from.latent_mean.empty() && from.z_dim == mc.vae.z_dim) {
      nets.vae->set_latent_stats(from.latent_mean, from.latent_std);
      settings.model.vae.latent_mean = from.latent_mean;
      settings.model.vae.latent_std = from.latent_std;
      estimate_stats = false;
      std::fprintf(stderr, "[train] latent statistics taken from %s\n", init.c_str());
    }
  }
  pipeline::CheckpointMeta meta{data.stats, data.cameras};

  data::ClipLoaderOptions lo;
  lo.batch_size = tc.batch_size;
  lo.seed = tc.seed;
  lo.rank = env.rank;
  lo.world_size = env.world_size;
  lo.crop_scale = settings.crop_scale;
  lo.holdout_every = settings.holdout_every;
  data::ClipSpec spec = pipeline::clip_spec(mc, data.cameras);
  spec.start_stride = settings.clip_stride;
  data::ClipLoader loader(files, spec, data.stats, lo);
  std::unique_ptr<data::ClipLoader> eval;
  if (settings.holdout_every > 0) {
    data::ClipLoaderOptions eo = lo;
    eo.holdout_split = true;
    eo.crop_scale = 1.0;
    eo.rank = 0;
    eo.world_size = 1;
    eval = std::make_unique<data::ClipLoader>(files, spec, data.stats, eo);
  }

  if (estimate_stats && !resume) {
    data::ClipLoaderOptions so = lo;
    so.rank = 0;  // every rank takes the same statistics: 16 batches of 4 clips
    so.world_size = 1;
    so.batch_size = 4;
    data::ClipLoader sample(files, spec, data.stats, so);
    const pipeline::LatentStats ls = pipeline::estimate_latent_stats(nets.vae, sample, mc, 16, device);
    nets.vae->set_latent_stats(ls.mean, ls.std);
    settings.model.vae.latent_mean = ls.mean;
    settings.model.vae.latent_std = ls.std;
    const auto [lo_std, hi_std] = std::minmax_element(ls.std.begin(), ls.std.end());
    std::fprintf(stderr, "[train] latent statistics from %lld clips: std %.3g … %.3g per channel (now normalized)\n",
                 static_cast<long long>(ls.clips), *lo_std, *hi_std);
  }

  std::unique_ptr<train::TrainTask> task;
  if (settings.kind == pipeline::TaskKind::Vae)
    task = std::make_unique<pipeline::VaeTrainTask>(std::move(nets), settings, meta, device);
  else
    task = std::make_unique<pipeline::XWamTrainTask>(std::move(nets), settings, meta, device);

  const CancelToken* stop = cli::cancel_on_stop_signals();
  train::TrainerHooks hooks;
  hooks.on_report = [&](const train::StepReport& r) {
    if (!parallel.is_main()) return;
    std::printf("%s\n", train::to_json_line(r).c_str());
    std::fflush(stdout);
    print_human(r);
  };
  try {
    train::Trainer(tc, out, parallel).run(*task, loader, eval.get(), resume, hooks, stop);
  } catch (const Cancelled&) {
    std::fprintf(stderr, "[train] stopped; resume with --resume (last checkpoint: %s)\n",
                 train::Trainer::latest_checkpoint(out).c_str());
    return 130;
  }
  std::fprintf(stderr, "[train] done: %s\n", train::Trainer::latest_checkpoint(out).c_str());
  return 0;
}
