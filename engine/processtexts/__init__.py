"""The texts of the processes people read (task, event and decision names from the BPMN, titles
and choices of their forms, document-type names), translated through a catalogue per process:
``processes/<agency>/<process id>.<language>.json`` beside its diagram, and
``processes/common.<language>.json`` for what every process shares."""
