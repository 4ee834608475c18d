package dev.bitproof.json;

/**
 * A command's result as a typed value: a record whose components are the fields of its JSON document (after the
 * envelope every document shares), written by the one mapper, {@link Json#mapper()}. Components that are absent from
 * a document are {@code null} and the record is annotated {@code @JsonInclude(NON_NULL)}; digests write as their
 * {@code algorithm:hex} text, findings as {@code code, severity, subject, message, evidence}; paths are kept as the
 * text the user gave (a {@code Path} would write as a {@code file://} URI).
 */
public interface JsonBody {}
