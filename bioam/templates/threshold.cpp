{# USES_VARIABLES { N } #}
{# bioam's version of Brian2's cpp_standalone threshold template (brian2 2.10.1):
   the same events, in the same order. Most time steps of a recall have no event,
   so a first pass, which the compiler vectorises, asks only whether any neuron
   meets the condition; the second pass (Brian2's loop) runs only when one does. #}
{% extends 'common_group.cpp' %}
{% block maincode %}
    //// MAIN CODE ////////////
    // scalar code
    const int _vectorisation_idx = -1;
    {{scalar_code|autoindent}}

    {% set _eventspace = get_array_name(eventspace_variable) %}

    long _count = 0;
    {% if not _uses_refractory %}
    char _any = 0;  // a char, not a bool: GCC vectorises |= on chars
    for(size_t _idx=0; _idx<N; _idx++)
    {
        const size_t _vectorisation_idx = _idx;
        {{vector_code|autoindent}}
        _any |= _cond;
    }
    if(_any)
    {% endif %}
    for(size_t _idx=0; _idx<N; _idx++)
    {
        const size_t _vectorisation_idx = _idx;
        {{vector_code|autoindent}}
        if(_cond) {
            {{_eventspace}}[_count++] = _idx;
            {% if _uses_refractory %}
            {{not_refractory}}[_idx] = false;
            {{lastspike}}[_idx] = {{t}};
            {% endif %}
        }
    }
    {{_eventspace}}[N] = _count;
{% endblock %}

{% block after_code %}
{% set _eventspace = get_array_name(eventspace_variable) %}
{{_eventspace}}[N] = 0;  // Note that this is not an off-by-1-error: the array has N+1 elements
{% endblock %}
