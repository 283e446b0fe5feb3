// Opens episode files off the GUI thread and hands the GUI immutable results (or an error text).
#pragma once
#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <memory>
#include <vector>

#include "engine/data/EpisodeFile.h"

namespace xwam::studio {

struct SceneListing {
  QString path;
  std::vector<data::EpisodeSummary> episodes;
  QString error;  // empty on success
};

struct LoadedEpisode {
  QString path;
  int index = 0;
  std::shared_ptr<const data::Episode> episode;
  QString error;
};

// One request at a time per kind; a newer request supersedes an older one (its result is dropped).
class SceneLoader : public QObject {
  Q_OBJECT
 public:
  explicit SceneLoader(QObject* parent = nullptr);
  void list(const QString& path);
  void load(const QString& path, int index);
  bool busy() const;

 signals:
  void listed(const xwam::studio::SceneListing& listing);
  void loaded(const xwam::studio::LoadedEpisode& episode);

 private:
  QFutureWatcher<SceneListing> list_watcher_;
  QFutureWatcher<LoadedEpisode> load_watcher_;
};

}  // namespace xwam::studio
