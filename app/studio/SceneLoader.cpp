#include "app/studio/SceneLoader.h"

#include <QtConcurrent/QtConcurrent>

namespace xwam::studio {

SceneLoader::SceneLoader(QObject* parent) : QObject(parent) {
  connect(&list_watcher_, &QFutureWatcher<SceneListing>::finished, this,
          [this] { emit listed(list_watcher_.result()); });
  connect(&load_watcher_, &QFutureWatcher<LoadedEpisode>::finished, this,
          [this] { emit loaded(load_watcher_.result()); });
}

bool SceneLoader::busy() const { return list_watcher_.isRunning() || load_watcher_.isRunning(); }

void SceneLoader::list(const QString& path) {
  list_watcher_.setFuture(QtConcurrent::run([path] {
    SceneListing out{path, {}, {}};
    try {
      data::EpisodeFileReader reader(path.toStdString());
      for (int i = 0; i < reader.num_episodes(); ++i) out.episodes.push_back(reader.summary(i));
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }));
}

void SceneLoader::load(const QString& path, int index) {
  load_watcher_.setFuture(QtConcurrent::run([path, index] {
    LoadedEpisode out{path, index, nullptr, {}};
    try {
      out.episode = std::make_shared<const data::Episode>(data::read_episode(path.toStdString(), index));
    } catch (const std::exception& e) {
      out.error = QString::fromStdString(e.what());
    }
    return out;
  }));
}

}  // namespace xwam::studio
