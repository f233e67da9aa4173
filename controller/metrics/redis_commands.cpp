// See redis_commands.h.
#include "metrics/redis_commands.h"

#include <hiredis/hiredis.h>

namespace gearbox::metrics {

RedisReply::~RedisReply() {
  if (r) freeReplyObject(r);
}

Error RedisErrorReply(const std::string& where, const std::vector<std::string>& argv,
                      const redisReply& reply) {
  std::string m(reply.str, reply.len);
  return Error::Of(
      ReplyErrorKind(m),
      where + ": " + argv[0] + " " + (argv.size() > 1 ? argv[1] : "") + ": " + ReplyErrorCode(m));
}

Result<long long> RedisCommands::Integer(const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(auto reply, Run(argv));
  return ReplyInteger(*reply->r, Describe() + ": " + argv[0]);
}

Result<std::vector<std::optional<std::string>>> RedisCommands::Strings(
    const std::vector<std::string>& argv) {
  ASSIGN_OR_RETURN(auto reply, Run(argv));
  return ReplyStrings(*reply->r);
}

Result<StreamGroupCounts> RedisCommands::StreamGroup(const std::string& key,
                                                     const std::string& group) {
  ASSIGN_OR_RETURN(auto reply, Run({"XINFO", "GROUPS", key}));
  return ReplyStreamGroup(*reply->r, Describe(), key, group);
}

}  // namespace gearbox::metrics
