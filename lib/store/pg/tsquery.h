// The query language as a PostgreSQL tsquery (the PostgreSQL backend's full-text prefilter, the
// twin of fts_query.h for FTS5). Internal to lib/store and its tests. Pure.
#pragma once

#include <string>

#include "match/query.h"

namespace veille::store::pg {

// A tsquery (the input syntax of the ::tsquery cast: quoted lexemes, no text search
// configuration applied) whose matches include every entry the query can match, over
// entries.fts (title weight A, text weight B; pg/schema.cc). The query's folded words are
// already the index's lexemes (text::Words and veille_fts_words cut and fold alike).
//  - a term or phrase: its words ANDed ('l' & 'oreal'), never <->: tsvector positions stop at
//    16,383 and keep 255 per lexeme, so a phrase deep in a long text could be missed;
//  - title: and text: restrict the lexemes to weight A or B ('rappel':A); a prefix term's last
//    word is a prefix ('lanc':*);
//  - AND and NEAR/ONEAR: AND of the parts the index can answer; OR: OR of its branches, or
//    nothing when one branch cannot be answered; NOT, author: link: feed: category: site:
//    lang:: nothing (the matcher decides);
//  - a word longer than a lexeme may be (2,047 bytes) is left out (the index left it out too).
// Empty when the query puts no constraint the index can answer: every entry is a candidate.
std::string TsQueryPrefilter(const match::QueryNode& query);

// One lexeme quoted for the tsquery input syntax: 'it''s', backslashes doubled.
std::string TsQuote(const std::string& lexeme);

}  // namespace veille::store::pg
