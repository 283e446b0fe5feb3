// Reference encodings from libsentencepiece for TextEncoderTest. A separate program because
// libsentencepiece cannot share a process with LibTorch (clashing protobuf copies).
//   xwam_spm_reference DIR: trains DIR/plain.model (unknown pieces) and DIR/bytes.model (byte
//   fallback) on a small robot-instruction corpus, then writes, for each line of DIR/inputs.txt,
//   its piece ids to DIR/<model>.ids (one line per input, ids separated by spaces).
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <fstream>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: xwam_spm_reference DIR\n";
    return 2;
  }
  const std::string dir = argv[1];
  {
    std::ofstream corpus(dir + "/corpus.txt");
    const char* lines[] = {"pick up the red cube and place it in the bowl",
                           "push the blue block to the left of the green plate",
                           "open the top drawer then put the sponge inside",
                           "stack the yellow cup on the orange cup, then stop!",
                           "move the robot arm slowly towards the white box",
                           "close the microwave door and press the button",
                           "grasp the bottle by its neck and pour water into the glass",
                           "wipe the table with the cloth from right to left"};
    for (int repeat = 0; repeat < 20; ++repeat)
      for (const char* line : lines) corpus << line << '\n';
  }
  const std::string common = "--input=" + dir + "/corpus.txt --model_type=unigram --hard_vocab_limit=false"
                             " --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1 --minloglevel=2 --num_threads=1";
  const std::vector<std::pair<std::string, std::string>> models{
      {"plain", " --vocab_size=100"}, {"bytes", " --vocab_size=400 --byte_fallback=true"}};
  std::vector<std::string> inputs;
  {
    std::ifstream in(dir + "/inputs.txt");
    for (std::string line; std::getline(in, line);) inputs.push_back(line);
  }
  for (const auto& [name, options] : models) {
    const auto trained = sentencepiece::SentencePieceTrainer::Train(common + " --model_prefix=" + dir + "/" + name + options);
    if (!trained.ok()) {
      std::cerr << name << ": " << trained.ToString() << "\n";
      return 1;
    }
    sentencepiece::SentencePieceProcessor spm;
    if (const auto loaded = spm.Load(dir + "/" + name + ".model"); !loaded.ok()) {
      std::cerr << name << ": " << loaded.ToString() << "\n";
      return 1;
    }
    std::ofstream out(dir + "/" + name + ".ids");
    for (const auto& input : inputs) {
      std::vector<int> ids;
      if (!spm.Encode(input, &ids).ok()) return 1;
      for (size_t i = 0; i < ids.size(); ++i) out << (i ? " " : "") << ids[i];
      out << "\n";
    }
  }
  return 0;
}
